"""The trial registry: CAR-T studies with a site in China, from ClinicalTrials.gov, kept offline.

Kept apart from the fact base and never writing to it. Modules (import what you use; nothing is
imported here, so `cartq --help` pays for none of it):

- update.update / update.last_retrieved: fetch from the API v2 and swap in a new store
- importer.import_file: the same from a file (page, list or JSON Lines of study objects)
- query.list_studies / get_study / facet / info / count_studies, with query.Filters
- views: documents for the terminal and flat rows for CSV / JSON Lines
- results: the TypedDicts all of these return
"""
