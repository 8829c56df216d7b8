#!/usr/bin/env python3
"""The chat-template oracle: renders templates with jinja2 exactly as Hugging Face's apply_chat_template
configures it (transformers' _compile_jinja_template) and reports outputs or errors as JSON.

stdin:  {"cases": [{"template": str, "variables": {...}, "now": "YYYY-MM-DDTHH:MM:SS[.ffffff]"}, ...]}
stdout: {"jinja2": version, "results": [{"ok": true, "output": str}
                                        | {"ok": false, "type": exception class, "message": str(exception),
                                           "lineno": int or null}, ...]}
One process renders a whole batch. JSON is exchanged as ASCII (json.dumps escapes), so no encoding is in play."""
import json
import sys
from datetime import datetime

try:
    import jinja2
    import jinja2.ext
    from jinja2 import nodes
    from jinja2.exceptions import TemplateError
    from jinja2.ext import Extension
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError as e:  # the C# side turns this into a clear test failure
    print(json.dumps({"error": f"jinja2 is not importable: {e}"}))
    sys.exit(3)


class GenerationTag(Extension):
    """Hugging Face's AssistantTracker as far as rendering goes: {% generation %}body{% endgeneration %} is a call
    block whose method returns caller()."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

    @jinja2.pass_eval_context
    def _generation_support(self, context, caller):
        return caller()


def make_environment(now):
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return now.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


_compiled = {}


def compile_template(source, now):
    """One environment per clock reading and one compiled template per source, as a process would keep them;
    compile errors are not cached, so each case reports its own."""
    key = (source, now)
    if key not in _compiled:
        _compiled[key] = make_environment(datetime.fromisoformat(now)).from_string(source)
    return _compiled[key]


def run(case):
    try:
        template = compile_template(case["template"], case.get("now", "2024-07-26T10:20:30"))
        return {"ok": True, "output": template.render(**case.get("variables", {}))}
    except RecursionError as e:
        return {"ok": False, "type": "RecursionError", "message": str(e), "lineno": None}
    except Exception as e:  # every failure is data for the comparison
        message = e.message if isinstance(e, jinja2.TemplateSyntaxError) else str(e)
        return {"ok": False, "type": type(e).__name__, "message": message, "lineno": getattr(e, "lineno", None)}


def main():
    request = json.loads(sys.stdin.buffer.read().decode("ascii"))
    results = [run(case) for case in request["cases"]]
    sys.stdout.write(json.dumps({"jinja2": jinja2.__version__, "results": results}, ensure_ascii=True))


if __name__ == "__main__":
    main()
