#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn attributes that give the child a clean slate of signals. A child inherits the
/// spawning thread's signal mask, and Swift's threads block signals: a tmux server spawned
/// with SIGCHLD blocked never reaps its panes and never exits.
enum SpawnAttributes {
    static func make() -> posix_spawnattr_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        return attributes
    }
}
