/// A value kept out of line and shared until written, like Array's storage: a record keeps
/// its rarely set fields here, so the common record stays small.
struct CopyOnWrite<Value: Sendable>: @unchecked Sendable {
    // @unchecked: the box is only written when uniquely referenced (below), so no two
    // values ever share a box that changes.
    private final class Box {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(_ value: Value) { box = Box(value) }

    var value: Value {
        get { box.value }
        set {
            if isKnownUniquelyReferenced(&box) {
                box.value = newValue
            } else {
                box = Box(newValue)
            }
        }
    }

    /// Changes the value in place when this is its only owner.
    mutating func modify<T>(_ body: (inout Value) -> T) -> T {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
        return body(&box.value)
    }
}

extension CopyOnWrite: Equatable where Value: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool { lhs.box === rhs.box || lhs.value == rhs.value }
}

extension CopyOnWrite: Hashable where Value: Hashable {
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

extension Optional {
    /// Writes one field of a part kept out of line only while some field of it is set: the
    /// part is made when a value arrives, and dropped when its last field is cleared (so
    /// equal values compare equal).
    @inline(__always)  // lets the key path fold into a plain field access
    mutating func setField<Part: Equatable, Field>(_ field: WritableKeyPath<Part, Field?>, _ value: Field?,
                                                   empty: @autoclosure () -> Part)
        where Wrapped == CopyOnWrite<Part>
    {
        if self == nil {
            guard value != nil else { return }
            self = CopyOnWrite(empty())
        }
        self!.modify { $0[keyPath: field] = value }
        if value == nil, self?.value == empty() { self = nil }
    }
}
