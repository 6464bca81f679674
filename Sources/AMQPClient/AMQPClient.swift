/// AMQPClient: a SwiftNIO AMQP 0-9-1 client for RabbitMQ and any broker that speaks it —
/// connections by URL (amqp:// and amqps://), channels, declares, publishing with confirms,
/// consumers as async sequences, heartbeats, and an opt-in recovering connection.
/// It builds on AMQPProtocol and must never import the broker or any Celery layer.
@_exported import AMQPProtocol
// Bodies are ByteBuffers in this API, so users get NIOCore's type and helpers with it.
@_exported import NIOCore
