"""Benchmarks of the toolkit side by side with the tools users would otherwise pick (issue 7).

``scripts/bench`` (``python -m bench``) runs the sections below and writes ``bench/RESULTS.md``:

* ``mock``: mock throughput and latency (wrk) vs Prism and Steady on the same effective spec
* ``instructions``: instructions per request through the whole server (callgrind), ours vs the
  bare Starlette ceiling
* ``client``: client overhead per call vs the openai SDK and raw httpx; Video parsing
* ``conformance``: test cases per second vs the schemathesis CLI over HTTP
* ``generate``: regeneration wall time vs a bare openapi-python-client run
* ``scale``: mock memory, retrieve latency and list paging with 10k and 100k stored videos
* ``profile``: where the mock's time goes on its hot paths (cProfile under load)
"""
