#!/usr/bin/env python3
"""Reads Repère's OGC API with OWSLib, as QGIS plugins and Python users do: landing page, conformance,
every collection with bbox and limit, and in Lambert-93 (crs=EPSG:2154). Prints what it read as JSON
for the Rust test to compare with the API's own answers."""
import json
import sys

from owslib.ogcapi.features import Features

L93 = "http://www.opengis.net/def/crs/EPSG/0/2154"


def main(base):
    api = Features(base)
    out = {
        "title": api.links and api.response.get("title"),
        "conformance": api.conformance()["conformsTo"],
        "collections": {},
    }
    for cid in api.feature_collections():
        coll = api.collection(cid)
        boxed = api.collection_items(cid, bbox=[6.9, 43.5, 7.3, 43.8], limit=5)
        first = api.collection_items(cid, limit=1)
        lambert = api.collection_items(cid, limit=1, crs=L93)
        filtered = api.collection_items(cid, limit=1, filter="departement = '06'") if cid != "links" else None
        out["collections"][cid] = {
            "crs": coll.get("crs"),
            "matched_in_bbox": boxed.get("numberMatched"),
            "returned_in_bbox": len(boxed["features"]),
            "first": first["features"][0] if first["features"] else None,
            "first_l93": lambert["features"][0] if lambert["features"] else None,
            "matched_06": filtered.get("numberMatched") if filtered else None,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
