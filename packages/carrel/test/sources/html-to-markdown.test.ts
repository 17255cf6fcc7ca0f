import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import type { DomNode } from '../../src/sources/html-to-markdown.js';
import { domToMarkdown } from '../../src/sources/html-to-markdown.js';
import { MAX_NESTING } from '../../src/sources/markdown-writer.js';

const convert = (body: string) => domToMarkdown(parseHTML(`<html><body>${body}</body></html>`).document.body as unknown as DomNode);
const md = (body: string) => convert(body).markdown;

describe('domToMarkdown', () => {
  it('writes headings, paragraphs, emphasis, link text, image alt text, rules and line breaks', () => {
    expect(
      md(
        '<h2>Retry  <em>policy</em></h2><p>Jobs are <strong> retried </strong> with <a href="/b (x)">backoff</a>.<br>Next line.</p><hr><p><img src="/i.png" alt="Retry timeline"></p>',
      ),
    ).toBe('## Retry _policy_\n\nJobs are **retried** with backoff.\nNext line.\n\n---\n\nRetry timeline');
  });

  it('writes lists, nested lists and quotes with their prefixes', () => {
    expect(
      md(
        '<p>x</p><ul><li>one</li><li>two<ol start="3"><li>three</li><li><p>four</p></li></ol></li></ul><blockquote><p>q</p><blockquote>qq</blockquote></blockquote>',
      ),
    ).toBe('x\n\n- one\n- two\n  3. three\n  4. four\n\n> q\n>\n> > qq');
  });

  it('fences code longer than any backtick run inside it and sizes code-span delimiters the same way', () => {
    expect(md('<pre><code class="language-js">a ``` b\n  c\n</code></pre><p><code>x`y</code></p>')).toBe(
      '````js\na ``` b\n  c\n````\n\n``x`y``',
    );
  });

  it('writes tables as pipe tables and escapes markdown characters in text', () => {
    expect(
      md('<table><tr><th>a</th><th>b|c</th></tr><tr><td>1</td><td>2</td></tr></table><p># not *a* heading_</p><p>1. not a list</p>'),
    ).toBe('| a | b\\|c |\n| --- | --- |\n| 1 | 2 |\n\n\\# not \\*a\\* heading\\_\n\n1\\. not a list');
  });

  it('stops indenting past the nesting cap, so output stays linear in the page', () => {
    const depth = MAX_NESTING + 20;
    const out = md(`${'<blockquote>'.repeat(depth)}deep${'</blockquote>'.repeat(depth)}`);
    expect(out).toBe(`${'> '.repeat(MAX_NESTING)}deep`);
  });
});

describe('domToMarkdown on documentation generators', () => {
  it('fences <pre> with or without <code>, with the language the markup names', () => {
    const sphinx =
      '<div class="highlight-python3 notranslate"><div class="highlight"><pre><span></span><span class="gp">&gt;&gt;&gt; </span><span class="kn">import</span> <span class="nn">json</span>\n</pre></div></div>';
    const docbook = '<pre class="programlisting">\nSELECT * FROM t;</pre>';
    const javadoc = '<pre class="snippet"><code class="language-java">int x = 1;</code></pre>';
    const dataLang = '<pre data-lang="rust"><code>fn main() {}</code></pre>';
    const hljs = '<pre><code class="hljs lang-bash">ls -l</code></pre>';
    expect(md(sphinx + docbook + javadoc + dataLang + hljs)).toBe(
      '```python3\n>>> import json\n```\n\n```\nSELECT * FROM t;\n```\n\n```java\nint x = 1;\n```\n\n```rust\nfn main() {}\n```\n\n```bash\nls -l\n```',
    );
  });

  it('fences a Doxygen fragment as one block, comments kept, line numbers and tooltips left out', () => {
    const fragment =
      '<div class="fragment"><div class="line"><a id="l00001" name="l00001"></a><span class="lineno">    1</span><span class="comment">// Configuration options</span></div>\n' +
      '<div class="line"><span class="lineno">    2</span>{</div>\n<div class="line"><span class="lineno">    3</span>    <span class="stringliteral">&quot;encoding&quot;</span> : <span class="stringliteral">&quot;UTF-8&quot;</span></div>\n' +
      '<div class="line"><span class="lineno">    4</span>}</div></div>' +
      '<div class="ttc" id="aclass_json_1_1_value"><div class="ttname"><a href="class_json_1_1_value.html">Json::Value</a></div><div class="ttdoc">Represents a JSON value.</div></div>';
    expect(md(fragment)).toBe('```\n// Configuration options\n{\n    "encoding" : "UTF-8"\n}\n```');
  });

  it('leaves out hidden elements, tooltips (title attributes) and permalink anchors', () => {
    expect(
      md(
        '<h2>Functions<a class="headerlink" href="#functions" title="Permalink to this heading">¶</a></h2>' +
          '<h3 id="install">Install<a href="#install" class="hash-link" aria-label="Direct link to Install">\u200b</a></h3>' +
          '<h4><a class="anchor" id="a1" href="#a1"></a>Member<a href="#a1" aria-hidden="true">#</a></h4>' +
          '<p>See <a href="other.html" title="Summary of another page">other</a>.<span style="display: none">hidden words</span></p><p hidden>secret</p>',
      ),
    ).toBe('## Functions\n\n### Install\n\n#### Member\n\nSee other.');
  });

  it('keeps unknown and obsolete inline elements in their paragraph', () => {
    expect(md('<p>The free space map (<acronym class="acronym">FSM</acronym>) and <x-term>custom</x-term> terms.</p>')).toBe(
      'The free space map (FSM) and custom terms.',
    );
    expect(md('<p>a<my-card><div>block inside</div></my-card>b</p>')).toBe('a\n\nblock inside\n\nb');
  });

  it('keeps images alt text only when it says something', () => {
    expect(md('<p>Before <img src="a.png" alt="a.png"><img src="b.png" alt=""><img src="c.png" alt="Request flow"> after</p>')).toBe(
      'Before Request flow after',
    );
  });

  it('writes tables with a header row, escaped pipes and column spans filled', () => {
    expect(
      md(
        '<table><thead><tr><th>Name</th><th>Type</th><th>Default</th></tr></thead><tbody><tr><td>a|b</td><td colspan="2">both</td></tr><tr><td>c</td><td>int</td></tr></tbody></table>',
      ),
    ).toBe('| Name | Type | Default |\n| --- | --- | --- |\n| a\\|b | both |  |\n| c | int |  |');
  });

  it('writes a table whose cells hold blocks as one list item per row, code still fenced', () => {
    expect(
      md(
        '<table><thead><tr><th>Function</th><th>Description</th></tr></thead><tbody>' +
          '<tr><td><code>setval(regclass, bigint)</code></td><td><p>Sets the current value.</p><pre class="programlisting">SELECT setval(\'myseq\', 42);</pre></td></tr>' +
          '<tr><td><code>nextval(regclass)</code></td><td>Advances the sequence.</td></tr></tbody></table>',
      ),
    ).toBe(
      "- **Function**: `setval(regclass, bigint)`\n\n  **Description**:\n\n  Sets the current value.\n\n  ```\n  SELECT setval('myseq', 42);\n  ```\n\n- **Function**: `nextval(regclass)`\n\n  **Description**: Advances the sequence.",
    );
  });

  it('keeps a table whose cells hold a bare Sphinx signature (a definition list without definitions) a pipe table', () => {
    expect(
      md(
        '<table class="docutils align-default"><thead><tr><th class="head"></th><th class="head"><p>32-bit</p></th></tr></thead><tbody>' +
          '<tr><td><dl class="py data"><dt class="sig sig-object py" id="decimal.MAX_PREC"><span class="sig-prename descclassname"><span class="pre">decimal.</span></span><span class="sig-name descname"><span class="pre">MAX_PREC</span></span><a class="headerlink" href="#decimal.MAX_PREC">¶</a></dt>\n<dd></dd></dl></td>' +
          '<td><p><code class="xref py py-const docutils literal notranslate"><span class="pre">425000000</span></code></p></td></tr></tbody></table>',
      ),
    ).toBe('|  | 32-bit |\n| --- | --- |\n| decimal.MAX\\_PREC | `425000000` |');
  });

  it('labels rows with header cells that hold several paragraphs (DocBook function tables)', () => {
    expect(
      md(
        '<table class="table"><thead><tr><th class="func_table_entry"><p class="func_signature">Function</p><p>Description</p></th></tr></thead>' +
          '<tbody><tr><td class="func_table_entry"><p class="func_signature"><code class="function">lastval</code> () → <code class="returnvalue">bigint</code></p><p>Returns the last value.</p></td></tr></tbody></table>',
      ),
    ).toBe('- **Function Description**:\n\n  `lastval` () → `bigint`\n\n  Returns the last value.');
  });

  it('writes Doxygen member groups as headings between tables, empty separator rows left out', () => {
    expect(
      md(
        '<table class="memberdecls"><tr class="heading"><td colspan="2"><h2 class="groupheader"><a id="pub-methods" name="pub-methods"></a>Public Member Functions</h2></td></tr>' +
          '<tr class="memitem:a1"><td class="memItemLeft" align="right" valign="top">bool&#160;</td><td class="memItemRight" valign="bottom"><a class="el" href="class_json_1_1_value.html#a1">isNull</a> () const</td></tr>' +
          '<tr class="memdesc:a1"><td class="mdescLeft">&#160;</td><td class="mdescRight">Whether the value is null.<br /></td></tr>' +
          '<tr class="separator:a1"><td class="memSeparator" colspan="2">&#160;</td></tr></table>',
      ),
    ).toBe('## Public Member Functions\n\n|  |  |\n| --- | --- |\n| bool | isNull () const |\n|  | Whether the value is null. |');
  });

  it('writes Javadoc summary grids of divs as tables', () => {
    expect(
      md(
        '<div class="summary-table three-column-summary"><div class="table-header col-first">Modifier and Type</div><div class="table-header col-second">Method</div><div class="table-header col-last">Description</div>' +
          '<div class="col-first even-row-color method-summary-table"><code>static int</code></div><div class="col-second even-row-color method-summary-table"><code><a href="#getDayOfMonth(java.util.Calendar)" class="member-name-link">getDayOfMonth</a>(java.util.Calendar&nbsp;calendar)</code></div>' +
          '<div class="col-last even-row-color method-summary-table"><div class="block">Gets the day of month.</div></div></div>',
      ),
    ).toBe(
      '| Modifier and Type | Method | Description |\n| --- | --- | --- |\n| `static int` | `getDayOfMonth(java.util.Calendar\u00a0calendar)` | Gets the day of month. |',
    );
  });

  it('writes definition lists as a bold term and its definition, Sphinx signatures as code without their links', () => {
    expect(
      md(
        '<dl class="py function"><dt class="sig sig-object py" id="json.dumps"><span class="sig-prename descclassname"><span class="pre">json.</span></span><span class="sig-name descname"><span class="pre">dumps</span></span><span class="sig-paren">(</span><em class="sig-param"><span class="n"><span class="pre">obj</span></span></em>, <em class="sig-param"><span class="o"><span class="pre">*</span></span></em>, <em class="sig-param"><span class="n"><span class="pre">skipkeys</span></span><span class="o"><span class="pre">=</span></span><span class="default_value"><span class="pre">False</span></span></em><span class="sig-paren">)</span>' +
          '<a class="reference internal" href="../_modules/json.html#dumps"><span class="viewcode-link"><span class="pre">[source]</span></span></a><a class="headerlink" href="#json.dumps" title="Permalink to this definition">¶</a></dt>' +
          '<dd><p>Serialize <em>obj</em> to a JSON formatted <a class="reference internal" href="stdtypes.html#str"><code class="xref py py-class docutils literal notranslate"><span class="pre">str</span></code></a>.</p></dd></dl>' +
          '<dl class="simple"><dt><code class="option">-v</code></dt><dd><p>Verbose.</p><p>Twice: more.</p></dd></dl>',
      ),
    ).toBe('`json.dumps(obj, *, skipkeys=False)`\n: Serialize _obj_ to a JSON formatted `str`.\n\n**`-v`**\n: Verbose.\n\n  Twice: more.');
  });

  it('writes admonitions of every generator as "> **Title:**" quotes', () => {
    const sphinx = '<div class="admonition note"><p class="admonition-title">Note</p><p>Keys are <em>strings</em>.</p></div>';
    const mkdocs = '<details class="tip"><summary>Use a venv</summary><p>It keeps things apart.</p></details>';
    const docbook = '<div class="warning"><h3 class="title">Warning</h3><p>This drops the table.</p></div>';
    const docusaurus =
      '<div class="theme-admonition theme-admonition-caution alert alert--warning admonition_xJq3"><div class="admonitionHeading_Gvgb"><span class="admonitionIcon_Rf37"><svg></svg></span>caution</div><div class="admonitionContent_BuS1"><p>Slow on big sites.</p></div></div>';
    const github =
      '<div class="markdown-alert markdown-alert-important"><p class="markdown-alert-title"><svg></svg>Important</p><p>Back up first.</p></div>';
    const codeFirst = '<div class="admonition seealso"><pre>pip install x</pre></div>';
    expect(md(sphinx + mkdocs + docbook + docusaurus + github + codeFirst)).toBe(
      [
        '> **Note:** Keys are _strings_.',
        '> **Use a venv:** It keeps things apart.',
        '> **Warning:** This drops the table.',
        '> **Caution:** Slow on big sites.',
        '> **Important:** Back up first.',
        '> **See also:**\n>\n> ```\n> pip install x\n> ```',
      ].join('\n\n'),
    );
  });

  it('returns link targets apart from the text, each text and target once, without same-page anchors', () => {
    const { markdown, links } = convert(
      '<p>Read <a href="https://example.org/guide.html">the guide</a>, <a href="#top">the top</a> and <a href="https://example.org/guide.html">the guide</a> again; call <code><a href="api.html#f">f()</a></code>.</p>',
    );
    expect(markdown).toBe('Read the guide, the top and the guide again; call `f()`.');
    expect(links).toEqual([
      { text: 'the guide', href: 'https://example.org/guide.html' },
      { text: 'f()', href: 'api.html#f' },
    ]);
  });
});
