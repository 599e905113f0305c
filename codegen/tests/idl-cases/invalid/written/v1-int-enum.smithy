// intEnum shapes cannot be used in Smithy version 1.0
$version: "1.0"
namespace smithy.example

intEnum E {
    A = 1
}
