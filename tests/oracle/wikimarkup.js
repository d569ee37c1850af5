// Atlassian's own wiki markup -> ADF (@atlaskit/editor-wikimarkup-transformer): stdin a JSON list of wiki texts,
// stdout a JSON list of ADF documents.
const { WikiMarkupTransformer } = require('@atlaskit/editor-wikimarkup-transformer');
const { JSONTransformer } = require('@atlaskit/editor-json-transformer');
const wiki = new WikiMarkupTransformer();
const json = new JSONTransformer();
const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(texts.map((t) => json.encode(wiki.parse(t)))));
