"""fsfdocs' own Swedish NER: a blank ``sv`` spaCy pipeline with an entity ruler and a trained
statistical ``ner`` for ORG, PERSON, PLACE and MALGRUPP (target-group phrases).

Modules: :mod:`.paths` (where model, data and config live), :mod:`.patterns` (ruler patterns from
``ruler_patterns.yaml``), :mod:`.corpus` (the Webbnyheter 2012 training corpus),
:mod:`.annotations` (our own annotated sentences), :mod:`.pipeline` (build / load the pipeline),
:mod:`.train`, :mod:`.evaluate` and :mod:`.extract` (entities of a ParsedDocument).
"""

LABELS = ("ORG", "PERSON", "PLACE", "MALGRUPP")
