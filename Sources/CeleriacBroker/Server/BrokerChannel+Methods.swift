import AMQPProtocol

/// Which handler each method a client may send on a channel goes to.
extension BrokerChannel {
    func handle(_ method: AMQPMethod) throws(AMQPException) {
        switch method {
        case .exchangeDeclare(let declare): try declareExchange(declare)
        case .exchangeDelete(let delete): try deleteExchange(delete)
        case .exchangeBind(let bind): try bindExchange(bind)
        case .exchangeUnbind(let unbind): try unbindExchange(unbind)
        case .queueDeclare(let declare): try declareQueue(declare)
        case .queueBind(let bind): try bindQueue(bind)
        case .queueUnbind(let unbind): try unbindQueue(unbind)
        case .queuePurge(let purge): try purgeQueue(purge)
        case .queueDelete(let delete): try deleteQueue(delete)
        case .basicQos(let qos): try setPrefetch(qos)
        case .basicConsume(let consume): try startConsumer(consume)
        case .basicCancel(let cancel): cancelConsumer(cancel)
        case .basicGet(let get): try getMessage(get)
        case .basicAck(let ack): try settle(tag: ack.deliveryTag, multiple: ack.multiple, outcome: .ack)
        case .basicNack(let nack): try settle(tag: nack.deliveryTag, multiple: nack.multiple, outcome: .reject(requeue: nack.requeue))
        case .basicReject(let reject): try settle(tag: reject.deliveryTag, multiple: false, outcome: .reject(requeue: reject.requeue))
        case .basicRecover: recoverUnacked(); send(.basicRecoverOk(.init()))
        case .basicRecoverAsync: recoverUnacked()
        case .confirmSelect(let select): try selectConfirms(select)
        case .channelFlow(let flow): setFlow(flow.active)
        case .accessRequest: send(.accessRequestOk(.init(ticket: 1)))
        case .txSelect, .txCommit, .txRollback:
            throw .notImplemented("transactions (tx.*) are not supported by this broker; use publisher confirms")
        default:
            throw .commandInvalid("method \(method.name) is not one a client sends")
        }
    }

    /// The queue a method names; "" means the one last declared on this channel (RabbitMQ).
    func queueName(_ name: String) throws(AMQPException) -> String {
        guard name.isEmpty else { return name }
        guard let last = lastDeclaredQueue else {
            throw .notFound("no previously declared queue")
        }
        return last
    }
}
