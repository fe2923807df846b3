"""The catalog in the protocols researchers' tools already speak.

Each module answers one client unchanged: the Hugging Face Hub API (`huggingface_hub`,
the `hf` command), CKAN's action API (`ckanapi`, harvesters), Croissant (`mlcroissant`)
and DCAT (data portals). They read the same visibility, search and counts as `/api/v1/`.
"""
