/// The tasks held, by id. Records sit densely in one array and the id index maps to their
/// position: a Dictionary of records would keep a record-sized bucket for every empty slot
/// of its power-of-two table (twice the memory at a million tasks), and would hash the id
/// once per read and write of a merge instead of once per event.
public struct TaskTable: Sendable {
    private var positions: [String: Int] = [:]
    private var records: [TaskRecord] = []

    public init() {}

    public var count: Int { records.count }
    public var isEmpty: Bool { records.isEmpty }

    /// Every record held, in no particular order.
    public var values: [TaskRecord] { records }

    /// Every id held, in no particular order.
    public var keys: some Collection<String> { positions.keys }

    public subscript(id: String) -> TaskRecord? {
        positions[id].map { records[$0] }
    }

    public func contains(_ id: String) -> Bool { positions[id] != nil }

    /// The position of `id`, adding the record `make()` returns when it is new.
    mutating func position(of id: String, orAdd make: () -> TaskRecord) -> (position: Int, isNew: Bool) {
        // One hash either way: the defaulted subscript inserts the next position when missing.
        let next = records.count
        let position = Self.read(&positions[id, default: next])
        guard position == next else { return (position, false) }
        records.append(make())
        return (position, true)
    }

    private static func read(_ value: inout Int) -> Int { value }

    /// The record at `position`, changed in place.
    mutating func update<T>(at position: Int, _ body: (inout TaskRecord) -> T) -> T {
        body(&records[position])
    }

    func record(at position: Int) -> TaskRecord { records[position] }

    /// Puts `record` in, replacing one with the same id.
    mutating func insert(_ record: TaskRecord) {
        _ = update(at: position(of: record.id) { record }.position) { $0 = record }
    }

    /// Removes `id`: the last record moves into its place, so the array stays dense.
    @discardableResult
    mutating func remove(_ id: String) -> TaskRecord? {
        guard let position = positions.removeValue(forKey: id) else { return nil }
        let last = records.count - 1
        if position != last {
            records.swapAt(position, last)
            positions[records[position].id] = position
        }
        return records.removeLast()
    }
}
