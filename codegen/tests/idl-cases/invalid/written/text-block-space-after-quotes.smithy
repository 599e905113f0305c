// Syntax error at line 6, column 16: Error parsing text block: Text block must start with a new line
$version: "2.0"

namespace smithy.example

@documentation("""  
    text
    """)
string Foo
