"""`_otto.pyi` matches the module: every stubbed class and method exists, every runtime class is
stubbed, and the fields the stubs declare are exactly the ones real results carry."""

import ast
import pathlib

import otto
from otto import _otto

STUB = pathlib.Path(otto.__file__).with_name("_otto.pyi")


def stub_classes():
    tree = ast.parse(STUB.read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            fields, methods = {}, set()
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    fields[item.target.id] = ast.unparse(item.annotation)
                elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    methods.add(item.name)
            out[node.name] = (fields, methods)
    return out


def test_every_class_and_method_exists():
    classes = stub_classes()
    for name, (_, methods) in classes.items():
        if name.startswith("_"):
            continue
        runtime = getattr(_otto, name)
        for m in methods:
            assert hasattr(runtime, m), f"{name}.{m} is stubbed but missing"
    runtime_classes = {n for n, v in vars(_otto).items() if isinstance(v, type)}
    assert runtime_classes <= set(classes), f"not stubbed: {runtime_classes - set(classes)}"
    public = [n for n in vars(_otto) if not n.startswith("_")]
    for n in public:
        assert n in otto.__all__, f"{n} is not exported from otto"


def check_fields(result, cls_name):
    fields, _ = stub_classes()[cls_name]
    data = result.to_dict()
    extra = set(data) - set(fields)
    assert not extra, f"{cls_name}: the API sends fields the stub lacks: {extra}"
    for name, annotation in fields.items():
        if name not in data:
            assert annotation.startswith("Optional"), f"{cls_name}.{name} is required in the stub but absent"


def test_fields_match_real_results(embedded, segments):
    call = embedded.submit_call(rep_id="rep_jordan", segments=segments)
    check_fields(call, "Call")
    embedded.wait_for_call(call.call_id, timeout=60)
    check_fields(embedded.call(call.call_id), "Call")
    analysis = embedded.analysis(call.call_id)
    check_fields(analysis, "Analysis")
    objections = embedded.objections(call.call_id)
    check_fields(objections, "Objections")
    check_fields(objections.objections[0], "Objection")
    doc = embedded.ingest_document("a.md", b"# A\n\nWarranty is 25 years.", "reference")
    check_fields(embedded.wait_for_document(doc.document_id, timeout=60), "Document")
    answer = embedded.ask("What objections came up?")
    check_fields(answer, "Answer")
    check_fields(answer.citations[0], "Citation")
    check_fields(embedded.performance(), "Performance")
    check_fields(embedded.rep_performance(), "RepPerformance")
    check_fields(embedded.objection_analytics(), "ObjectionAnalytics")
    check_fields(embedded.lead_analytics(), "LeadAnalytics")
