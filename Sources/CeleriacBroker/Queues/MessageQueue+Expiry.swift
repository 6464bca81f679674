/// Message TTL and queue expiry, by timer as RabbitMQ's classic queues do: an expired
/// message leaves from the head of the queue (dead-lettered if the queue says so) when its
/// time comes, whether or not a consumer is there; a queue with x-expires is deleted once
/// it has gone that long without consumers, gets or redeclares.
extension MessageQueue {
    func dropExpiredHead() {
        guard let clock = host?.clock, ready.first?.expiresAt != nil else { return }
        let now = clock.now
        while let head = ready.first, let expiresAt = head.expiresAt, expiresAt <= now {
            _ = ready.popFirst()
            forget(head)
            host?.deadLetter(head, reason: .expired, from: self)
        }
        scheduleHeadExpiry()
    }

    private func scheduleHeadExpiry() {
        guard let deadline = ready.first?.expiresAt, let clock = host?.clock else {
            cancelExpiryTimer()
            return
        }
        if expiryTimer?.deadline == deadline { return }
        cancelExpiryTimer()
        let work = clock.schedule(at: deadline) { [weak self] in
            self?.expiryTimer = nil
            self?.dispatch()
        }
        expiryTimer = (work, deadline)
    }

    func cancelExpiryTimer() {
        expiryTimer?.work.cancel()
        expiryTimer = nil
    }

    /// A get, a consume or a redeclare: the x-expires countdown starts again.
    func touch() {
        guard settings.expires != nil else { return }
        if consumers.isEmpty { scheduleUnusedExpiry() }
    }

    func scheduleUnusedExpiry() {
        cancelUnusedTimer()
        guard let expires = settings.expires, consumers.isEmpty, let clock = host?.clock else { return }
        unusedTimer = clock.schedule(at: clock.now + expires * 1_000_000) { [weak self] in
            guard let self, self.consumers.isEmpty else { return }
            self.host?.queueExpired(self)
        }
    }

    func cancelUnusedTimer() {
        unusedTimer?.cancel()
        unusedTimer = nil
    }
}
