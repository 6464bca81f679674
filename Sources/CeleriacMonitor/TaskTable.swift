import Celeriac

/// The tasks held, by id. Records sit densely in one array and the id index maps to their
/// position: a Dictionary of records would keep a record-sized bucket for every empty slot
/// of its power-of-two table (twice the memory at a million tasks), and would hash the id
/// once per read and write of a merge instead of once per event.
public struct TaskTable: Sendable {
    private var index = TaskIDIndex()
    private var records: [TaskRecord] = []

    public init() {}

    /// Room for `capacity` records set aside at once: growing by copying a large array of
    /// records costs more than its pages, which the system only backs once they are written.
    public init(reservingCapacity capacity: Int) {
        records.reserveCapacity(capacity)
    }

    public var count: Int { records.count }
    public var isEmpty: Bool { records.isEmpty }

    /// Every record held, in no particular order.
    public var values: [TaskRecord] { records }

    /// Every id held, in no particular order.
    public var keys: [String] { records.map(\.id) }

    public subscript(id: String) -> TaskRecord? {
        find(id).map { records[$0] }
    }

    public func contains(_ id: String) -> Bool { find(id) != nil }

    private func find(_ id: String) -> Int? {
        index.find(id, hash: index.hash(id)) { records[$0].id }
    }

    /// The position of `id`, adding the record `make()` returns when it is new.
    mutating func position(of id: String, orAdd make: () -> TaskRecord) -> (position: Int, isNew: Bool) {
        let hash = index.hash(id)  // once, for the lookup and the insert
        if let position = index.find(id, hash: hash, idAt: { records[$0].id }) { return (position, false) }
        let position = records.count
        records.append(make())
        index.insert(hash: hash, position: position)
        return (position, true)
    }

    /// The record at `position`, changed in place.
    mutating func update<T>(at position: Int, _ body: (inout TaskRecord) -> T) -> T {
        body(&records[position])
    }

    func record(at position: Int) -> TaskRecord { records[position] }

    /// The position of the task whose id has these UTF-8 bytes, adding the record `make`
    /// returns (given the id as a String) when it is new: a task already held is found
    /// without making a String of its id.
    mutating func position(ofUTF8 id: UnsafeRawBufferPointer,
                           orAdd make: (String) -> TaskRecord) -> (position: Int, isNew: Bool) {
        let hash = index.hash(id)
        let found = index.find(hash: hash) { position in
            records[position].id.utf8.withContiguousStorageIfAvailable { stored in
                stored.count == id.count && (id.isEmpty || sameBytes(stored.baseAddress!, id.baseAddress!, count: id.count))
            } ?? records[position].id.utf8.elementsEqual(id)
        }
        if let found { return (found, false) }
        let position = records.count
        records.append(make(String(decoding: id, as: UTF8.self)))  // checked as UTF-8 by the decoder
        index.insert(hash: hash, position: position)
        return (position, true)
    }

    /// Puts `record` in, replacing one with the same id.
    mutating func insert(_ record: TaskRecord) {
        _ = update(at: position(of: record.id) { record }.position) { $0 = record }
    }

    /// Removes `id`: the last record moves into its place, so the array stays dense.
    @discardableResult
    mutating func remove(_ id: String) -> TaskRecord? {
        let hash = index.hash(id)
        guard let position = index.find(id, hash: hash, idAt: { records[$0].id }) else { return nil }
        index.remove(hash: hash, position: position)
        let last = records.count - 1
        if position != last {
            index.move(hash: index.hash(records[last].id), from: last, to: position)
            records.swapAt(position, last)
        }
        return records.removeLast()
    }
}
