// intEnum members require integer values, but found: "one"
$version: "2.0"

namespace smithy.example

intEnum Numbers {
    @enumValue("one")
    ONE
}
