$version: "2.0"

namespace example.fuzz

use aws.protocols#restJson1

/// A service whose one operation binds every kind of member and constraint, for the request
/// fuzz targets: its `build.rs` generates it once per protocol.
@restJson1
service Fuzz {
    version: "2026-12-01"
    operations: [Put, Get]
}

/// Takes every binding and constraint.
@idempotent
@http(method: "PUT", uri: "/things/{id}/{rest+}")
@requestCompression(encodings: ["gzip"])
operation Put {
    input := {
        @required
        @httpLabel
        @length(min: 1, max: 32)
        id: String

        @required
        @httpLabel
        rest: String

        @httpHeader("x-count")
        @range(min: 0, max: 1000)
        count: Integer

        @httpHeader("x-when")
        when: Timestamp

        @httpHeader("x-tags")
        tags: Tags

        @httpHeader("Content-Encoding")
        encoding: String

        @httpPrefixHeaders("x-meta-")
        meta: Meta

        @httpQuery("color")
        color: Color

        @httpQuery("n")
        numbers: Numbers

        @httpQueryParams
        extra: Meta

        name: Name
        items: Items
        unique: UniqueNames
        kinds: Kinds
        shape: Shape
        nested: Nested
        data: Blob
        big: BigDecimal
        at: Timestamp
        @timestampFormat("http-date")
        httpAt: Timestamp
        ratio: Double
        level: Level
        doc: Document
    }
    output := {
        @httpHeader("x-count")
        count: Integer
        items: Items
    }
    errors: [Invalid]
}

/// Reads a thing.
@readonly
@http(method: "GET", uri: "/things/{id}")
operation Get {
    input := {
        @required
        @httpLabel
        id: String
    }
    output := {
        @httpPayload
        body: Blob
    }
}

/// The input is not valid.
@error("client")
@httpError(400)
structure Invalid {
    message: String
}

@pattern("^[a-z][a-z0-9-]*$")
@length(max: 64)
string Name

@length(max: 100)
list Items {
    member: Item
}

@uniqueItems
list UniqueNames {
    member: Name
}

list Kinds {
    member: Color
}

list Tags {
    member: String
}

list Numbers {
    member: Integer
}

@length(max: 20)
map Meta {
    key: String
    value: String
}

structure Item {
    @required
    key: Name

    @range(min: -5, max: 5)
    weight: Long

    tags: Meta
}

enum Color {
    RED
    GREEN
    BLUE
}

intEnum Level {
    LOW = 1
    HIGH = 2
}

union Shape {
    circle: Double
    square: Item
    points: Items
}

structure Nested {
    inner: Nested
    items: Items
    value: String
}
