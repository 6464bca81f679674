import NIOCore

extension AMQPConnectionHandler {
    /// Sends a heartbeat every half interval (the spec allows any frame to count, but a
    /// heartbeat is cheap and keeps the rule simple) and declares the broker dead after two
    /// whole intervals of silence, as RabbitMQ does with its clients. The silence check is a
    /// timer set for the moment two intervals after the last frame would end, so a dead
    /// broker is noticed then, not up to half an interval later at the next send.
    func startHeartbeats(interval: UInt16) {
        guard interval > 0, let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let period = TimeAmount.milliseconds(Int64(interval) * 500)
        heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            loopBound.value.sendHeartbeat()
        }
        checkSilence(interval: interval)
    }

    private func sendHeartbeat() {
        guard let context, closed.error == nil else { return }
        var buffer = context.channel.allocator.buffer(capacity: 8)
        try? buffer.writeAMQPFrame(.heartbeat)
        write(buffer, promise: nil)
    }

    /// Fails the connection if two intervals passed since the last frame; otherwise looks
    /// again when two intervals will have passed since it (frames keep moving that moment on,
    /// and the timer follows lazily, without a reschedule per frame).
    private func checkSilence(interval: UInt16) {
        guard let context, closed.error == nil else { return }
        let limit = TimeAmount.seconds(Int64(interval) * 2)
        if NIODeadline.now() - lastReceived >= limit {
            fail(with: .heartbeatTimeout(seconds: Int(interval) * 2))
            context.close(promise: nil)
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        silenceCheck = context.eventLoop.scheduleTask(deadline: lastReceived + limit) {
            loopBound.value.checkSilence(interval: interval)
        }
    }
}
