/// When persistent messages are forced to disk (`--fsync`).
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// Before the publisher's confirm: what RabbitMQ does. Group commit: one fsync per file
    /// for everything written in a turn of the event loop, off the loop.
    case always
    /// Every 200 ms; a confirm means written to the kernel, which survives a crash of the
    /// broker but not of the machine.
    case batch
    /// Never; the kernel writes back when it likes.
    case off
}
