#!/usr/bin/env python3
"""Writes a Smithy 2.0 JSON AST model as Smithy IDL: scripts/json-to-idl.py MODEL.json > MODEL.smithy

For the reader's benchmark and round-trip checks (`scripts/idl-bench.sh`): the IDL it writes
loads to the same model as the JSON (`smithy-codegen ast` of both is the same). One namespace
per file: a model with shapes in several namespaces is written as several files, the others
next to the output with the namespace in their name, when --out-dir is given.
"""
import json
import re
import sys
from collections import defaultdict

IDENT = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
PRELUDE = {"String", "Blob", "BigInteger", "BigDecimal", "Timestamp", "Document", "Boolean", "Byte", "Short",
           "Integer", "Long", "Float", "Double", "Unit", "PrimitiveBoolean", "PrimitiveInteger", "PrimitiveLong",
           "PrimitiveDouble", "PrimitiveFloat", "PrimitiveShort", "PrimitiveByte"}


def write(namespace, shapes, metadata=None):
    local = {id.split('#')[1] for id in shapes}
    uses = {}
    out = []

    def ref(id):
        root, _, member = id.partition('$')
        ns, name = root.split('#')
        if ns == namespace:
            text = name
        elif ns == 'smithy.api' and name not in local and name not in uses:
            text = name
        elif name in local or (name in uses and uses[name] != root):
            text = root
        else:
            uses[name] = root
            text = name
        return text + ('$' + member if member else '')

    def node(value, indent):
        pad = '    ' * (indent + 1)
        end = '    ' * indent
        if isinstance(value, dict):
            if not value:
                return '{}'
            items = [f'{pad}{key if IDENT.match(key) else json.dumps(key)}: {node(item, indent + 1)}'
                     for key, item in value.items()]
            return '{\n' + '\n'.join(items) + '\n' + end + '}'
        if isinstance(value, list):
            if not value:
                return '[]'
            return '[\n' + '\n'.join(pad + node(item, indent + 1) for item in value) + '\n' + end + ']'
        return json.dumps(value, ensure_ascii=False)

    def traits(values, indent):
        pad = '    ' * indent
        lines = []
        values = dict(values)
        docs = values.pop('smithy.api#documentation', None)
        if isinstance(docs, str) and '\r' not in docs:
            for line in docs.split('\n'):
                lines.append(f'{pad}/// {line}' if line else f'{pad}///')
        elif docs is not None:
            values['smithy.api#documentation'] = docs
        for id, value in values.items():
            name = ref(id)
            if value == {}:
                lines.append(f'{pad}@{name}')
            elif isinstance(value, dict):
                body = node(value, indent)
                lines.append(f'{pad}@{name}({body[1:-1].rstrip()}\n{pad})')
            else:
                lines.append(f'{pad}@{name}({node(value, indent)})')
        return lines

    def member_line(name, member, indent, default_syntax=True):
        values = dict(member.get('traits', {}))
        assign = ''
        if default_syntax and 'smithy.api#default' in values:
            assign = ' = ' + node(values.pop('smithy.api#default'), indent)
        lines = traits(values, indent)
        lines.append('    ' * indent + f'{name}: {ref(member["target"])}{assign}')
        return lines

    def targets(key, shape):
        return ', '.join(ref(item['target']) for item in shape.get(key, []))

    for id, shape in shapes.items():
        name = id.split('#')[1]
        kind = shape['type']
        out.append('')
        out.extend(traits(shape.get('traits', {}), 0))
        mixins = shape.get('mixins', [])
        with_ = (' with [' + ', '.join(ref(m['target']) for m in mixins) + ']') if mixins else ''
        if kind in ('structure', 'union'):
            out.append(f'{kind} {name}{with_} {{')
            for member_name, member in shape.get('members', {}).items():
                out.extend(member_line(member_name, member, 1, kind == 'structure'))
            out.append('}')
        elif kind in ('enum', 'intEnum'):
            out.append(f'{kind} {name}{with_} {{')
            for member_name, member in shape.get('members', {}).items():
                values = dict(member.get('traits', {}))
                value = values.pop('smithy.api#enumValue', None)
                out.extend(traits(values, 1))
                out.append(f'    {member_name}' + (f' = {json.dumps(value)}' if value is not None else ''))
            out.append('}')
        elif kind in ('list', 'set'):
            out.append(f'{kind} {name}{with_} {{')
            out.extend(member_line('member', shape['member'], 1, False))
            out.append('}')
        elif kind == 'map':
            out.append(f'map {name}{with_} {{')
            out.extend(member_line('key', shape['key'], 1, False))
            out.extend(member_line('value', shape['value'], 1, False))
            out.append('}')
        elif kind in ('service', 'resource'):
            out.append(f'{kind} {name}{with_} {{')
            for key, value in shape.items():
                if key in ('type', 'traits', 'mixins'):
                    continue
                if key in ('operations', 'resources', 'errors', 'collectionOperations'):
                    out.append(f'    {key}: [{targets(key, shape)}]')
                elif key in ('identifiers', 'properties'):
                    entries = ', '.join(f'{k}: {ref(v["target"])}' for k, v in value.items())
                    out.append(f'    {key}: {{ {entries} }}')
                elif key == 'rename':
                    entries = ', '.join(f'{json.dumps(k)}: {json.dumps(v)}' for k, v in value.items())
                    out.append(f'    rename: {{ {entries} }}')
                elif isinstance(value, dict) and 'target' in value:
                    out.append(f'    {key}: {ref(value["target"])}')
                else:
                    out.append(f'    {key}: {node(value, 1)}')
            out.append('}')
        elif kind == 'operation':
            out.append(f'operation {name}{with_} {{')
            for key in ('input', 'output'):
                if key in shape:
                    out.append(f'    {key}: {ref(shape[key]["target"])}')
            if shape.get('errors'):
                out.append(f'    errors: [{targets("errors", shape)}]')
            out.append('}')
        elif kind == 'apply':
            out.pop()
            lines = traits(shape.get('traits', {}), 1)
            out.append(f'apply {name} {{')
            out.extend(lines)
            out.append('}')
        else:
            out.append(f'{kind} {name}{with_}')
    head = ['$version: "2.0"', '']
    for key, value in (metadata or {}).items():
        head.append(f'metadata {json.dumps(key)} = {node(value, 0)}')
    head.extend(['', f'namespace {namespace}', ''])
    head.extend(f'use {id}' for _, id in sorted(uses.items()))
    return '\n'.join(head + out) + '\n'


def main():
    document = json.load(open(sys.argv[1]))
    by_namespace = defaultdict(dict)
    for id, shape in document.get('shapes', {}).items():
        by_namespace[id.split('#')[0]][id] = shape
    out_dir = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == '--out-dir' else None
    if out_dir is None:
        if len(by_namespace) != 1:
            sys.exit('the model has several namespaces: give --out-dir DIR')
        [(namespace, shapes)] = by_namespace.items()
        sys.stdout.write(write(namespace, shapes, document.get('metadata')))
        return
    for index, (namespace, shapes) in enumerate(by_namespace.items()):
        with open(f'{out_dir}/{namespace}.smithy', 'w') as out:
            out.write(write(namespace, shapes, document.get('metadata') if index == 0 else None))


if __name__ == '__main__':
    main()
