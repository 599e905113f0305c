$version: "2.0"

metadata keys = [true false null, "a""b", String]

namespace smithy.example

structure Foo {a: String@required b: String}

@tags(["x"]) @tags(["y"])
string Tagged

apply
    Tagged @since("1")

@references([{resource: Thing}])
string Ref

resource Thing {
    identifiers: {id: "String"}
    extra: "ignored with a warning"
}

@trait
list listTrait {
    member: String
}

@tags
@listTrait
@sensitive()
string Annotated
