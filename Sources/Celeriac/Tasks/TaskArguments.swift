/// The arguments of a task that takes none. Such a task accepts only an empty call, as a
/// Python function without parameters does.
public struct EmptyArguments: Codable, Sendable, Hashable {
    public init() {}
}

/// Maps a Celery call's positional `args` and keyword `kwargs` to a Swift `Codable` value and
/// back, the way Python binds a call to a function signature.
///
/// With `argumentNames` (the positional parameters, in order), args are zipped with the names
/// into an object and merged with kwargs; a name given both ways is an error, as Python's "got
/// multiple values for argument". Keyword arguments the type does not declare are ignored
/// (`Decodable` skips unknown keys), so a task may take keyword-only fields beyond the names.
/// Without names, the value is decoded from the args list itself (`[Int]`, or a type with an
/// unkeyed `init(from:)`), or from kwargs when only kwargs came.
public enum TaskArguments {
    /// Decodes a call into `Arguments`; every failure is a `TaskArgumentError`, never a crash.
    public static func decode<Arguments: Decodable>(
        _ type: Arguments.Type, args: [JSONValue], kwargs: [String: JSONValue], argumentNames: [String],
        taskName: String
    ) throws(TaskArgumentError) -> Arguments {
        func received() -> String { describeCall(args: args, kwargs: kwargs) }
        if let none = EmptyArguments() as? Arguments {
            guard args.isEmpty, kwargs.isEmpty else { throw .unexpected(task: taskName, received: received()) }
            return none
        }
        if args.isEmpty, kwargs.isEmpty, argumentNames.isEmpty {
            // An empty call with no names: an empty list, or else an empty object (a struct
            // whose fields are all optional).
            if let value = try? JSONValue.array([]).decode(as: Arguments.self) { return value }
            if let value = try? JSONValue.object([:]).decode(as: Arguments.self) { return value }
        }
        let source: JSONValue
        if !argumentNames.isEmpty {
            source = .object(try bind(args: args, kwargs: kwargs, argumentNames: argumentNames, taskName: taskName))
        } else if kwargs.isEmpty {
            source = .array(args)
        } else if args.isEmpty {
            source = .object(kwargs)
        } else {
            // Without names, positional args have nowhere to go beside kwargs.
            throw .mixedWithoutNames(task: taskName, received: received())
        }
        do {
            return try source.decode(as: Arguments.self)
        } catch let error as DecodingError {
            throw .undecodable(task: taskName, expected: expectation(Arguments.self, argumentNames: argumentNames),
                               problem: problem(error, in: source), received: received())
        } catch {
            throw .undecodable(task: taskName, expected: expectation(Arguments.self, argumentNames: argumentNames),
                               problem: "\(error)", received: received())
        }
    }

    /// Python's binding of positional arguments to parameter names.
    static func bind(args: [JSONValue], kwargs: [String: JSONValue], argumentNames: [String],
                     taskName: String) throws(TaskArgumentError) -> [String: JSONValue] {
        guard args.count <= argumentNames.count else {
            throw .tooManyPositional(task: taskName, accepted: argumentNames.count, given: args.count)
        }
        var bound = kwargs
        for (name, value) in zip(argumentNames, args) {
            guard kwargs[name] == nil else { throw .multipleValues(task: taskName, argument: name) }
            bound[name] = value
        }
        return bound
    }

    /// Encodes `arguments` as the args and kwargs of a call: the values named by `argumentNames`
    /// become positional, in order, up to the first one missing (a nil optional); the rest are
    /// kwargs. Without names, a value encoding to a list is the args, an object is the kwargs,
    /// and any other value is the one positional argument.
    public static func encode<Arguments: Encodable>(
        _ arguments: Arguments, argumentNames: [String], taskName: String
    ) throws(TaskArgumentError) -> (args: [JSONValue], kwargs: [String: JSONValue]) {
        if arguments is EmptyArguments { return ([], [:]) }
        let value: JSONValue
        do {
            value = try JSONValue(encoding: arguments)
        } catch {
            throw .unencodable(task: taskName, problem: "\(error)")
        }
        switch value {
        case .array(let list):
            return (list, [:])
        case .object(var object):
            var positional: [JSONValue] = []
            for name in argumentNames {
                guard let argument = object.removeValue(forKey: name) else { break }
                positional.append(argument)
            }
            return (positional, object)
        default:
            guard argumentNames.isEmpty else {
                throw .unencodable(task: taskName, problem: "\(Arguments.self) encodes to \(value.serialized.prefix(80)), "
                                   + "not an object with the fields \(argumentNames.joined(separator: ", "))")
            }
            return ([value], [:])
        }
    }

    /// "args (1, 'x') kwargs {'y': 2}", truncated as Celery truncates argsrepr.
    static func describeCall(args: [JSONValue], kwargs: [String: JSONValue]) -> String {
        "args " + JSONValue.truncatedRepr(JSONValue.pythonTupleRepr(args), limit: 200)
            + " kwargs " + JSONValue.truncatedRepr(JSONValue.object(kwargs).pythonRepr, limit: 200)
    }

    /// "Add(x, y)": the type the task wants and the names it binds.
    static func expectation(_ type: Any.Type, argumentNames: [String]) -> String {
        "\(type)(" + argumentNames.joined(separator: ", ") + ")"
    }

    /// A sentence about what did not decode, naming the argument and the type it should be.
    static func problem(_ error: DecodingError, in source: JSONValue) -> String {
        // if-case rather than a switch: DecodingError is not frozen, and `@unknown default`
        // warns on toolchains where it is treated as exhaustive.
        if case .typeMismatch(let type, let context) = error {
            let (path, value) = locate(context.codingPath, in: source)
            return "\(path) should be \(type), got \(value?.pythonRepr ?? "something else")"
        }
        if case .valueNotFound(let type, let context) = error {
            let (path, _) = locate(context.codingPath, in: source)
            return "\(path) should be \(type), got None"
        }
        if case .keyNotFound(let key, let context) = error {
            let (path, _) = locate(context.codingPath + [key], in: source)
            return "missing \(path)"
        }
        if case .dataCorrupted(let context) = error {
            let (path, value) = locate(context.codingPath, in: source)
            return "\(path) is invalid (\(context.debugDescription))" + (value.map { ", got \($0.pythonRepr)" } ?? "")
        }
        return "\(error)"
    }

    /// Walks a coding path through the JSON that was decoded: a readable name for it ("argument
    /// 'y'", "argument 'items[2].name'", "args[1]") and the value found there.
    static func locate(_ codingPath: [any CodingKey], in source: JSONValue) -> (String, JSONValue?) {
        var text = ""
        var current: JSONValue? = source
        for key in codingPath {
            if case .array(let list)? = current, let index = key.intValue {
                text += "[\(index)]"
                current = list.indices.contains(index) ? list[index] : nil
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
                current = current?[key.stringValue]
            }
        }
        if case .array = source { return ("args" + text, current) }
        return (text.isEmpty ? "the arguments" : "argument '\(text)'", current)
    }
}
