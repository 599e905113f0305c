$version: "2.0"

namespace smithy.example

@documentation("ab
c")
string LoneCarriageReturn

@documentation("""
    	indented by a tab	
    next""")
string TabsInTextBlock

@documentation("""
      six

     five   
    """)
string TextBlockIndentation
