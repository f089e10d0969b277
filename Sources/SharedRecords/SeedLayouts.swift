/// The records of the source articles, declared as the seeds declare them.

/// The second article's `PlaybackStateData`.
public enum PlaybackState {
    public static let timestamp = Field<Double>("Timestamp")
    public static let totalDuration = Field<Double>("TotalDuration")
    public static let pausedState = Field<Int32>("PausedState")
    public static let muteState = Field<Int32>("MuteState")
    public static let heartbeatSignal = Field<Int32>("HeartbeatSignal")
    public static let controlFlags = Field<Int32>("ControlFlags")
    public static let dataLength = Field<Int32>("DataLength")
    public static let inputBuffer = BytesField("InputBuffer", size: 1024)
    public static let outputBuffer = BytesField("OutputBuffer", size: 1024)
    /// 2 doubles, 5 ints, 2 x 1024 bytes: 2084 bytes.
    public static let layout = RecordLayout("PlaybackStateData", [
        timestamp, totalDuration, pausedState, muteState, heartbeatSignal, controlFlags, dataLength,
        inputBuffer, outputBuffer,
    ])
}

/// The parent/child demo's `ControllerData` (the seed's `ProcessControllerData`).
public enum ControllerData {
    public static let timestamp = Field<Double>("Timestamp")
    public static let totalDuration = Field<Double>("TotalDuration")
    public static let pausedState = Field<Int32>("PausedState")
    public static let muteState = Field<Int32>("MuteState")
    public static let heartbeatSignal = Field<Int32>("HeartbeatSignal")
    public static let controlFlags = Field<Int32>("ControlFlags")
    public static let dataLength = Field<Int32>("DataLength")
    public static let messageBuffer = BytesField("MessageBuffer", size: 1024)
    /// 1060 bytes.
    public static let layout = RecordLayout("ControllerData", [
        timestamp, totalDuration, pausedState, muteState, heartbeatSignal, controlFlags, dataLength, messageBuffer,
    ])
}

/// The first article's `TestData`: Int32 Id, Int32 Age, Int32 Scores[10], packed.
public enum TestData {
    public static let id = Field<Int32>("Id")
    public static let age = Field<Int32>("Age")
    public static let scores = ArrayField<Int32>("Scores", count: 10)
    /// 48 bytes.
    public static let layout = RecordLayout("TestData", [id, age, scores])

    /// The seed's sample: Id 100, Age 20, Scores 60...69.
    public static let sampleScores: [Int32] = Array(60 ... 69)

    /// The seed's `ToString()`: `Id=100,Age=20,Scores=60,61,...`.
    public static func describe(_ record: Record) -> String {
        "Id=\(record[id]),Age=\(record[age]),Scores=" + record[scores].map(String.init).joined(separator: ",")
    }

    /// A local record holding the given values.
    public static func make(id: Int32 = 100, age: Int32 = 20, scores: [Int32] = sampleScores) throws(RecordError) -> Record {
        let r = Record(local: layout)
        r[Self.id] = id
        r[Self.age] = age
        try r.set(Self.scores, scores)
        return r
    }

    /// The layouts `blob-writer layout` knows, by name.
    public static let known: [RecordLayout] = [PlaybackState.layout, ControllerData.layout, TestData.layout]
}
