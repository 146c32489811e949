#!/usr/bin/env python3
"""Drafts the JSON Schema of every GET answer that has none yet, from live answers of a running Repère
(demo data, several roles): types, keys always present (required), null seen (nullable), maps keyed by
identifiers (additionalProperties). A draft to review by hand: the reviewed schemas live in
backend/server/src/openapi/responses.json, checked against real answers by tests/tests/contract.rs.

usage: draft-response-schemas.py BASE_URL EMAIL:PASSWORD... > draft.json
"""
import http.cookiejar
import json
import re
import sys
import urllib.request

BASE = sys.argv[1].rstrip('/')
PARAMS = {
    'featureId': None, 'id': None, 'uai': '0060842H', 'school_year': '2025-2026', 'discipline': 'Mathématiques',
}
QUERIES = {
    '/api/nearby': 'lon=7.26&lat=43.7', '/api/places': 'q=nice', '/api/practices/duplicates': 'uai=0060842H',
    '/api/auth/invitation': None, '/api/mail/unsubscribe': None, '/api/letter/unsubscribe': None,
    '/api/auth/oidc/callback': None, '/api/auth/oidc/start': None,
}


def session(cred):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    if cred:
        email, password = cred.split(':', 1)
        token = json.load(opener.open(BASE + '/api/auth/session'))['csrf_token']
        req = urllib.request.Request(BASE + '/api/auth/login', json.dumps({'email': email, 'password': password}).encode(),
                                     {'content-type': 'application/json', 'x-csrf-token': token})
        opener.open(req)
    return opener


def get(opener, url):
    try:
        with opener.open(url) as r:
            if 'json' not in r.headers.get('content-type', ''):
                return None
            return json.load(r)
    except Exception:
        return None


def kind(v):
    if v is None:
        return 'null'
    if isinstance(v, bool):
        return 'boolean'
    if isinstance(v, int):
        return 'integer'
    if isinstance(v, float):
        return 'number'
    if isinstance(v, str):
        return 'string'
    if isinstance(v, list):
        return 'array'
    return 'object'


def keyed(obj):
    return len(obj) > 0 and all(re.fullmatch(r'[0-9A-Za-z_-]{1,12}', k) and any(c.isdigit() for c in k) for k in obj)


def infer(values):
    kinds = {kind(v) for v in values}
    nullable = 'null' in kinds
    kinds.discard('null')
    values = [v for v in values if v is not None]
    if not kinds:
        return {'nullable': True}
    if kinds == {'integer', 'number'}:
        kinds = {'number'}
    if len(kinds) > 1:
        s = {}
    else:
        k = kinds.pop()
        s = {'type': k}
        if k == 'array':
            items = [i for v in values for i in v]
            if items:
                s['items'] = infer(items)
        elif k == 'object':
            if all(keyed(v) for v in values if v):
                inner = [i for v in values for i in v.values()]
                s['additionalProperties'] = infer(inner) if inner else {}
            else:
                keys = sorted({k for v in values for k in v})
                s['properties'] = {k: infer([v[k] for v in values if k in v]) for k in keys}
                required = [k for k in keys if all(k in v for v in values)]
                if required:
                    s['required'] = required
    if nullable:
        s['nullable'] = True
    return s


def main():
    doc = json.load(urllib.request.urlopen(BASE + '/api/openapi.json'))
    openers = [session(None)] + [session(c) for c in sys.argv[2:]]
    first = get(openers[0], BASE + '/api/collections/practices/items?limit=1')
    PARAMS['featureId'] = str(first['features'][0]['id'])
    PARAMS['id'] = PARAMS['featureId']
    out = {}
    for path, item in doc['paths'].items():
        op = item.get('get')
        if not op:
            continue
        ok = [r for s, r in op['responses'].items() if s.startswith('2')]
        if any('schema' in c for r in ok for c in r.get('content', {}).values()):
            continue
        if not any('json' in m for r in ok for m in r.get('content', {})):
            continue
        if path in QUERIES and QUERIES[path] is None:
            continue
        url = BASE + re.sub(r'\{(\w+)\}', lambda m: PARAMS.get(m.group(1)) or 'x', path)
        if path in QUERIES:
            url += '?' + QUERIES[path]
        samples = [b for b in (get(o, url) for o in openers) if b is not None]
        if samples:
            out[op['operationId']] = infer(samples)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)


main()
