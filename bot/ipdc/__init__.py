"""Import of local products from the Flemish product catalogue (IPDC/LPDC).

Plain Python, no Rasa. The catalogue publishes instance snapshots as a Linked Data Event Stream:
paged JSON-LD (`…/doc/instantiesnapshot?pageNumber=N`), each page with `member` snapshots and a
`view` whose `relation` points to the next page. `stream` pages through it (URL or files),
`mapping` keeps the latest version of every product and maps it to our topic schema, `writer`
writes one review-pending YAML per municipality and product under content/imports/ipdc and lets
an officer approve it. `python -m bot.ipdc --help` for the command line; docs/ipdc-import.md.
"""
