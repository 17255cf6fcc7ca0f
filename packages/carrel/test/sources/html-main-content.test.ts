import { describe, expect, it } from 'vitest';
import { htmlToMarkdown } from '../../src/sources/extract.js';

// Each page is a small stand-in shaped like the generator's real output (the shapes of the Debian
// documentation sets of bench/fidelity and the generators' current themes). The kept text is what
// Readability dropped on real pages: notes, intros, later sections, member docs, feature cards.

describe('main content of documentation generators', () => {
  it('Sphinx: keeps the whole div.body with its H1, version notes and "See also", not the sidebar, related bar or footer', async () => {
    const page = `<html><head><meta name="generator" content="Docutils 0.19: https://docutils.sourceforge.io/" />
      <title>gzip — Support for gzip files &#8212; Python 3.11.2 documentation</title>
      <script data-url_root="../" id="documentation_options" src="../_static/documentation_options.js"></script></head>
      <body><div class="related" role="navigation"><ul><li><a href="../genindex.html">General index</a></li></ul></div>
      <div class="document"><div class="documentwrapper"><div class="bodywrapper"><div class="body" role="main">
      <section id="module-gzip"><h1>gzip — Support for gzip files<a class="headerlink" href="#module-gzip">¶</a></h1>
      <p>This module provides a simple interface to compress and decompress files.</p>
      <div class="versionchanged"><p><span class="versionmodified changed">Changed in version 3.6: </span>Accepts a <a href="../glossary.html">path-like object</a>.</p></div>
      <div class="admonition seealso"><p class="admonition-title">See also</p><dl><dt>Module <a href="zlib.html">zlib</a></dt><dd><p>The basic data compression module.</p></dd></dl></div>
      <section id="examples"><h2>Examples of usage<a class="headerlink" href="#examples">¶</a></h2>
      <div class="highlight-python3"><div class="highlight"><pre><span class="kn">import</span> gzip</pre></div></div></section></section>
      </div></div></div><div class="sphinxsidebar" role="navigation"><h3>Table of Contents</h3><ul><li>Sidebar entry</li></ul></div></div>
      <div class="footer">© Copyright 2001-2023, Python Software Foundation. Created using Sphinx 5.3.0.</div></body></html>`;
    const { markdown, title, generator, links } = await htmlToMarkdown(page);
    expect(generator).toBe('sphinx');
    expect(title).toBe('gzip — Support for gzip files');
    expect(markdown.startsWith('# gzip — Support for gzip files\n')).toBe(true);
    expect(markdown).toContain('Changed in version 3.6: Accepts a path-like object.');
    expect(links).toContainEqual({ text: 'path-like object', href: '../glossary.html' });
    expect(markdown).toContain('See also');
    expect(markdown).toContain('## Examples of usage\n\n```python3\nimport gzip\n```');
    for (const chrome of ['¶', 'General index', 'Sidebar entry', 'Copyright']) expect(markdown).not.toContain(chrome);
  });

  it('Sphinx pydata theme: the article, not the secondary sidebar inside main', async () => {
    const { markdown, generator, title } = await htmlToMarkdown(`<html><head><meta name="generator" content="Sphinx 7.2.6" />
      <title>Indexing — pandas 2.2 documentation</title></head><body><main id="main-content" class="bd-main">
      <div class="bd-sidebar-secondary"><nav>On this page: Basics</nav></div>
      <div class="bd-content"><article class="bd-article"><section><h1>Indexing</h1><p>Selecting rows by label.</p></section></article></div>
      </main></body></html>`);
    expect(generator).toBe('sphinx');
    expect(title).toBe('Indexing');
    expect(markdown).toBe('# Indexing\n\nSelecting rows by label.');
  });

  it('MkDocs: keeps the role=main column with the home page feature cards, not the navbar, toc column, footer or search dialog', async () => {
    const { markdown, title, generator } = await htmlToMarkdown(`<html><head><title>Configuration - MkDocs</title></head><body>
      <div class="navbar fixed-top"><a class="navbar-brand" href="index.html">MkDocs</a><ul class="nav navbar-nav"><li>User Guide menu</li></ul></div>
      <div class="container"><div class="row"><div class="col-md-3"><div class="bs-sidebar" role="complementary"><ul><li><a href="#project">Toc entry</a></li></ul></div></div>
      <div class="col-md-9" role="main"><h1 id="configuration">Configuration</h1><p>Guide to all available configuration settings.</p>
      <div class="row"><div class="card"><div class="card-body"><h3>Great themes available</h3><p>There's a stack of good looking themes available.</p></div></div></div>
      <h2 id="project">Project information<a class="headerlink" href="#project">#</a></h2><p>The following settings provide information about the project.</p></div></div></div>
      <footer class="col-md-12"><p>Documentation built with MkDocs.</p></footer>
      <div class="modal" id="mkdocs_search_modal"><div class="modal-body"><p>From here you can search these documents.</p></div></div></body></html>`);
    expect(generator).toBe('mkdocs');
    expect(title).toBe('Configuration');
    expect(markdown).toContain('# Configuration');
    expect(markdown).toContain("There's a stack of good looking themes available.");
    expect(markdown).toContain('## Project information\n\nThe following settings');
    for (const chrome of ['User Guide menu', 'Toc entry', 'built with MkDocs', 'search these documents'])
      expect(markdown).not.toContain(chrome);
  });

  it('MkDocs Material: the article, without the edit button', async () => {
    const { markdown, title, generator } =
      await htmlToMarkdown(`<html><head><meta name="generator" content="mkdocs-1.5.3, mkdocs-material-9.4.6">
      <title>Setup - Material for MkDocs</title></head><body><header class="md-header">Material for MkDocs header</header>
      <nav class="md-nav md-nav--primary">Primary navigation</nav><main class="md-main"><div class="md-content">
      <article class="md-content__inner md-typeset"><a href="edit.md" class="md-content__button md-icon" title="Edit this page">Edit this page</a>
      <h1>Setup</h1><p>Material for MkDocs can be configured in mkdocs.yml.</p></article></div></main><footer class="md-footer">Made with Material</footer></body></html>`);
    expect(generator).toBe('mkdocs-material');
    expect(title).toBe('Setup');
    expect(markdown).toBe('# Setup\n\nMaterial for MkDocs can be configured in mkdocs.yml.');
  });

  it('Docusaurus: the markdown body, not breadcrumbs, pagination, sidebar or table of contents', async () => {
    const { markdown, title, generator } = await htmlToMarkdown(`<html><head><meta name="generator" content="Docusaurus v3.1.0">
      <title>Installation | Docusaurus</title></head><body><div id="__docusaurus"><nav class="navbar">Docs Blog Community</nav>
      <div class="main-wrapper"><aside class="theme-doc-sidebar-container"><nav class="menu">Sidebar: Getting started</nav></aside>
      <main class="docMainContainer"><div class="row"><div class="col"><article><nav class="theme-doc-breadcrumbs">Home / Installation</nav>
      <div class="theme-doc-markdown markdown"><header><h1>Installation</h1></header><p>Docusaurus is essentially a set of npm packages.</p>
      <h2 id="requirements">Requirements<a class="hash-link" href="#requirements">&#8203;</a></h2><ul><li>Node.js version 18.0 or above</li></ul></div>
      <footer class="theme-doc-footer">Edit this page</footer></article><nav class="pagination-nav">Next: Configuration</nav></div>
      <div class="col col--3"><div class="tableOfContents">On this page: Requirements</div></div></div></main></div>
      <footer class="footer">Copyright © 2024 Meta Platforms</footer></div></body></html>`);
    expect(generator).toBe('docusaurus');
    expect(title).toBe('Installation');
    expect(markdown).toBe(
      '# Installation\n\nDocusaurus is essentially a set of npm packages.\n\n## Requirements\n\n- Node.js version 18.0 or above',
    );
  });

  it('DocBook XSL: the whole body with the chapter intro and every section, not the navigation header, footer or table of contents', async () => {
    const { markdown, title, generator } = await htmlToMarkdown(`<html><head><title>Chapter 8. Data Types</title>
      <meta name="generator" content="DocBook XSL Stylesheets Vsnapshot" /></head><body id="docContent">
      <div class="navheader"><table><tr><th colspan="5">Chapter 8. Data Types</th></tr><tr><td><a accesskey="p" href="queries-with.html">Prev</a></td><th>Part II. The SQL Language</th></tr></table><hr /></div>
      <div class="chapter" id="DATATYPE"><div class="titlepage"><div><div><h2 class="title">Chapter 8. Data Types</h2></div></div></div>
      <div class="toc"><p><strong>Table of Contents</strong></p><dl class="toc"><dt><a href="datatype-numeric.html">8.1. Numeric Types</a></dt></dl></div>
      <p>PostgreSQL has a rich set of native data types available to users.</p>
      <div class="table" id="DATATYPE-TABLE"><p class="title"><strong>Table 8.1. Data Types</strong></p><table><tr><th>Name</th><th>Aliases</th></tr><tr><td>bigint</td><td>int8</td></tr></table></div>
      <div class="sect1"><h2 class="title">8.1. Numeric Types</h2><p>Numeric types consist of two-, four-, and eight-byte integers.</p><pre class="programlisting">SELECT 1::bigint;</pre></div></div>
      <div class="navfooter"><hr /><table><tr><td><a accesskey="n" href="datatype-numeric.html">Next</a></td></tr></table></div></body></html>`);
    expect(generator).toBe('docbook');
    expect(title).toBe('Chapter 8. Data Types');
    expect(markdown).toContain('PostgreSQL has a rich set of native data types');
    expect(markdown).toContain('| bigint | int8 |');
    expect(markdown).toContain(
      '## 8.1. Numeric Types\n\nNumeric types consist of two-, four-, and eight-byte integers.\n\n```\nSELECT 1::bigint;\n```',
    );
    for (const chrome of ['Prev', 'Next', 'Part II', 'Table of Contents']) expect(markdown).not.toContain(chrome);
  });

  it('Javadoc (JDK 9+ doclet): main with its H1, summary and member details, not the navigation bar or footer', async () => {
    const { markdown, title, generator } = await htmlToMarkdown(`<html><head><title>CharUtils (Apache Commons Lang 3.12.0 API)</title>
      <meta name="generator" content="javadoc/ClassWriterImpl"></head><body class="class-declaration-page"><div class="flex-box">
      <header role="banner" class="flex-header"><nav role="navigation"><div class="top-nav" id="navbar-top"><ul class="nav-list"><li><a href="../../../../index.html">Overview</a></li><li class="nav-bar-cell1-rev">Class</li></ul></div></nav></header>
      <div class="flex-content"><main role="main"><div class="header"><div class="sub-title">Package org.apache.commons.lang3</div><h1 title="Class CharUtils" class="title">Class CharUtils</h1></div>
      <section class="class-description"><div class="block">Operations on char primitives and Character objects.</div></section>
      <section class="details"><h2>Method Details</h2><section class="detail" id="isAscii(char)"><h3>isAscii</h3>
      <div class="member-signature">public static boolean isAscii(char ch)</div><div class="block">Checks whether the character is ASCII 7 bit.</div>
      <pre>CharUtils.isAscii('a')  = true</pre></section></section></main>
      <footer role="contentinfo"><p class="legal-copy"><small>Copyright © 2001–2021 The Apache Software Foundation.</small></p></footer></div></div></body></html>`);
    expect(generator).toBe('javadoc');
    expect(title).toBe('CharUtils');
    expect(markdown).toContain('# Class CharUtils');
    expect(markdown).toContain('Operations on char primitives and Character objects.');
    expect(markdown).toContain('Checks whether the character is ASCII 7 bit.');
    expect(markdown).toContain("CharUtils.isAscii('a')  = true");
    for (const chrome of ['Overview', 'Copyright']) expect(markdown).not.toContain(chrome);
  });

  it('Javadoc (JDK 8 doclet, no generator tag): the header and content container, not the navigation bars', async () => {
    const { markdown, title, generator } = await htmlToMarkdown(`<html><head><!-- Generated by javadoc (1.8.0_292) -->
      <title>Queue (Example 1.0 API)</title></head><body><div class="topNav"><ul class="navList"><li><a href="package-summary.html">Package</a></li></ul></div>
      <div class="subNav"><ul class="navList"><li>Prev Class</li></ul></div>
      <div class="header"><div class="subTitle">org.example</div><h2 title="Class Queue" class="title">Class Queue</h2></div>
      <div class="contentContainer"><div class="description"><ul class="blockList"><li class="blockList"><div class="block">A FIFO queue of jobs.</div></li></ul></div></div>
      <div class="bottomNav"><ul class="navList"><li>Deprecated</li></ul></div></body></html>`);
    expect(generator).toBe('javadoc');
    expect(title).toBe('Queue');
    expect(markdown).toBe('org.example\n\n## Class Queue\n\n- A FIFO queue of jobs.');
  });

  it('rustdoc: the main-content section, not the sidebar, source link, copy button or toggle labels', async () => {
    const { markdown, title, generator } = await htmlToMarkdown(`<html><head><meta name="generator" content="rustdoc">
      <title>Vec in std::vec - Rust</title></head><body class="rustdoc struct"><nav class="sidebar"><h2>Methods</h2><ul><li>with_capacity</li></ul></nav>
      <main><div class="width-limiter"><section id="main-content" class="content"><div class="main-heading"><h1>Struct <span class="struct">Vec</span>
      <button id="copy-path" title="Copy item path to clipboard">Copy item path</button></h1><span class="out-of-band"><a class="src" href="../../src/alloc/vec/mod.rs.html">source</a></span></div>
      <details class="toggle top-doc" open><summary class="hideme"><span>Expand description</span></summary><div class="docblock">
      <p>A contiguous growable array type.</p><h2 id="examples"><a class="doc-anchor" href="#examples">§</a>Examples</h2>
      <pre class="rust rust-example-rendered"><code>let mut vec = Vec::new();</code></pre></div></details></section></div></main></body></html>`);
    expect(generator).toBe('rustdoc');
    expect(title).toBe('Vec in std::vec');
    expect(markdown).toBe('# Struct Vec\n\nA contiguous growable array type.\n\n## Examples\n\n```\nlet mut vec = Vec::new();\n```');
  });

  it('TypeDoc: the content column, not the toolbar, breadcrumbs, navigation or generator footer', async () => {
    const { markdown, title, generator } = await htmlToMarkdown(`<html><head><title>Queue | my-lib</title></head><body>
      <header class="tsd-page-toolbar"><div class="tsd-toolbar-contents">Search the docs</div></header>
      <div class="container container-main"><div class="col-content"><div class="tsd-page-title"><ul class="tsd-breadcrumb"><li><a href="../modules.html">my-lib</a></li></ul>
      <h1>Class Queue&lt;T&gt;</h1></div><section class="tsd-panel tsd-comment"><div class="tsd-comment tsd-typography"><p>A FIFO queue.</p></div></section>
      <section class="tsd-panel-group tsd-member-group"><h2>Methods</h2><section class="tsd-panel tsd-member"><a id="push" class="tsd-anchor"></a>
      <h3 class="tsd-anchor-link"><span>push</span><a href="#push" aria-label="Permalink" class="tsd-anchor-icon"><svg><use href="#icon-anchor"></use></svg></a></h3>
      <div class="tsd-comment tsd-typography"><p>Adds an item at the end.</p></div></section></section></div>
      <div class="col-sidebar"><nav class="tsd-navigation">Modules list</nav></div></div>
      <footer><p class="tsd-generator">Generated using TypeDoc</p></footer></body></html>`);
    expect(generator).toBe('typedoc');
    expect(title).toBe('Queue');
    expect(markdown).toBe('# Class Queue<T>\n\nA FIFO queue.\n\n## Methods\n\n### push\n\nAdds an item at the end.');
  });

  it('JSDoc: div#main, not the navigation or footer', async () => {
    const { markdown, title, generator } = await htmlToMarkdown(`<html><head><title>JSDoc: Class: Queue</title></head><body>
      <div id="main"><h1 class="page-title">Class: Queue</h1><section><article><div class="container-overview"><div class="description">A FIFO queue.</div></div>
      <h3 class="subsection-title">Methods</h3><h4 class="name" id="push">push(item)</h4><div class="description">Adds an item.</div></article></section></div>
      <nav><h2><a href="index.html">Home</a></h2><h3>Classes</h3><ul><li><a href="Queue.html">Queue</a></li></ul></nav>
      <footer>Documentation generated by <a href="https://github.com/jsdoc/jsdoc">JSDoc 4.0.2</a></footer></body></html>`);
    expect(generator).toBe('jsdoc');
    expect(title).toBe('Class: Queue');
    expect(markdown).toBe('# Class: Queue\n\nA FIFO queue.\n\n### Methods\n\n#### push(item)\n\nAdds an item.');
  });

  it('Doxygen: the header and contents with every member documentation, not the nav path, tooltips or footer', async () => {
    const { markdown, title, generator } = await htmlToMarkdown(`<html><head><meta name="generator" content="Doxygen 1.9.1"/>
      <title>JsonCpp project page: Json::Value Class Reference</title></head><body><div id="top"><div id="titlearea"><div id="projectname">JsonCpp project page</div></div>
      <div id="nav-path" class="navpath"><ul><li class="navelem"><a class="el" href="namespace_json.html">Json</a></li></ul></div></div>
      <div class="header"><div class="headertitle"><div class="title">Json::Value Class Reference</div></div></div>
      <div class="contents"><p>Represents a JSON value.</p><h2 class="groupheader">Member Function Documentation</h2>
      <div class="memitem"><div class="memproto"><table class="memname"><tr><td class="memname">bool Json::Value::isNull</td><td>(</td><td>)</td><td> const</td></tr></table></div>
      <div class="memdoc"><p>Tells whether the value is null.</p><div class="fragment"><div class="line">Json::Value v;
      <div class="ttc" id="tt1"><div class="ttname"><a href="x.html">Json::Value</a></div><div class="ttdoc">Tooltip text of the hover box.</div></div></div></div></div></div></div>
      <hr class="footer"/><address class="footer"><small>Generated on Thu Jan 1 2024 for JsonCpp by doxygen 1.9.1</small></address></body></html>`);
    expect(generator).toBe('doxygen');
    expect(title).toBe('Json::Value Class Reference');
    expect(markdown).toContain('Json::Value Class Reference');
    expect(markdown).toContain('Tells whether the value is null.');
    expect(markdown).toContain('Json::Value v;');
    for (const chrome of ['JsonCpp project page', 'Tooltip text', 'Generated on']) expect(markdown).not.toContain(chrome);
  });

  it('GitHub README: the markdown-body article, not the repository chrome', async () => {
    const { markdown, generator } = await htmlToMarkdown(`<html><head><title>GitHub - acme/carrel: A knowledge base</title>
      <meta property="og:site_name" content="GitHub"></head><body><header>Sign in Product Pricing</header><main><div class="repository-content">
      <div class="file-navigation">Code Issues Pull requests</div><article class="markdown-body entry-content" itemprop="text">
      <div class="markdown-heading"><h1 class="heading-element">Carrel</h1><a id="user-content-carrel" class="anchor" href="#carrel"><svg class="octicon"></svg></a></div>
      <p>A knowledge base for agents.</p></article></div></main><footer>© 2024 GitHub, Inc.</footer></body></html>`);
    expect(generator).toBe('github');
    expect(markdown).toBe('# Carrel\n\nA knowledge base for agents.');
  });
});

describe('main content of other pages', () => {
  it('keeps the whole <main> of an unknown page, without navigation inside it', async () => {
    const { markdown, generator } =
      await htmlToMarkdown(`<html><head><title>Queues</title></head><body><header><a href="/">Acme home link</a></header>
      <main><nav>Breadcrumb trail</nav><h1>Queues</h1><p>Short intro.</p><div><h2>Retry</h2><p>Jobs retry.</p></div></main><footer>Footer text</footer></body></html>`);
    expect(generator).toBeUndefined();
    expect(markdown).toBe('# Queues\n\nShort intro.\n\n## Retry\n\nJobs retry.');
  });

  it('falls back to Readability on a page that marks no main region', async () => {
    const story = 'A worker claims each queued job, runs it and records the outcome before the next one. '.repeat(8);
    const { markdown, generator } = await htmlToMarkdown(`<html><head><title>Story</title></head><body>
      <div id="menu"><a href="/a">Menu link one</a> <a href="/b">Menu link two</a></div>
      <div class="post"><p>${story}</p><p>${story}</p></div><div id="sidebar"><a href="/c">Related link</a></div></body></html>`);
    expect(generator).toBeUndefined();
    expect(markdown).toContain(story.trim());
    expect(markdown).not.toContain('Menu link');
    expect(markdown).not.toContain('Related link');
  });
});
