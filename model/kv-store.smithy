$version: "2.0"

namespace example.kv

use aws.protocols#awsJson1_0

/// A key-value store: values of text under keys, with when they were stored. An example service of the awsJson1_0 protocol.
@awsJson1_0
service KeyValueStore {
    version: "2026-01-01"
    operations: [GetValue, PutValue]
}

/// Stores a value under a key, replacing what was there.
@idempotent
operation PutValue {
    input :=
        /// What to store, and where.
        {
            /// Where to store the value.
            @required
            key: Key

            /// The value to store.
            @required
            value: String
        }

    output :=
        /// When the value was stored.
        {
            /// When the store took the value.
            @required
            storedAt: Timestamp
        }
}

/// Reads the value stored under a key.
@readonly
operation GetValue {
    input :=
        /// Which value to read.
        {
            /// The key to read.
            @required
            key: Key
        }

    output :=
        /// A stored value.
        {
            /// The value stored under the key.
            @required
            value: String

            /// When it was stored.
            @required
            storedAt: Timestamp
        }

    errors: [NoSuchKey]
}

/// Nothing is stored under the key.
@error("client")
@httpError(404)
structure NoSuchKey {
    /// What is missing.
    message: String
}

/// A key: 1 to 128 characters.
@length(min: 1, max: 128)
string Key
