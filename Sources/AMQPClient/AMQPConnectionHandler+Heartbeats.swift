import NIOCore

extension AMQPConnectionHandler {
    /// Sends a heartbeat every half interval (the spec allows any frame to count, but a
    /// heartbeat is cheap and keeps the rule simple) and declares the broker dead after two
    /// whole intervals of silence, as RabbitMQ does with its clients.
    func startHeartbeats(interval: UInt16) {
        guard interval > 0, let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let period = TimeAmount.milliseconds(Int64(interval) * 500)
        heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            loopBound.value.heartbeatTick(interval: interval)
        }
    }

    private func heartbeatTick(interval: UInt16) {
        guard let context, closed.error == nil else { return }
        if NIODeadline.now() - lastReceived > .seconds(Int64(interval) * 2) {
            fail(with: .heartbeatTimeout(seconds: Int(interval) * 2))
            context.close(promise: nil)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 8)
        try? buffer.writeAMQPFrame(.heartbeat)
        write(buffer, promise: nil)
    }
}
