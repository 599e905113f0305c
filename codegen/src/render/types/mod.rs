//! The model's types: structures and their builders, enums, unions and errors. Nothing here
//! knows the wire: each type shows itself to the runtime with its schema, and the protocol adds
//! what members' docs say of the wire through the render context.

pub(super) mod enums;
pub(super) mod errors;
pub(super) mod structures;
pub(super) mod unions;
