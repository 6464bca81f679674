/// How long a worker or a beat waits before trying its broker again: 2 s, then 2 s longer
/// each time, at most 30 s (Celery's broker_connection_retry defaults: interval_start 2,
/// interval_step 2, interval_max 30).
public enum BrokerRetryPause {
    public static func seconds(attempt: Int) -> Double { min(2 + 2 * Double(attempt), 30) }
}
