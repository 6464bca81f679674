/// Celeriac: the core of a Celery-compatible task queue — Celery's protocol v2 task messages,
/// signatures, events, remote control and results as Swift values, and the app that sends
/// tasks and reads results. It knows the broker only through a narrow transport view (declare,
/// publish, consume with ack, broadcast, reply) over AMQPClient; it must never import a broker,
/// a worker or a screen, and no AMQP type appears in its task, event or control APIs.
import Foundation
