import { describe, expect, it } from 'vitest';
import { pageLinks } from '../../src/connectors/web-links.js';

describe('pageLinks', () => {
  it('resolves links against <base href>, reads the canonical link, and skips rel=nofollow links', () => {
    const page = pageLinks(
      `<html><head><BASE HREF="/docs/"><link rel="alternate canonical" href="guide"></head>
       <body><a href="intro#top">Intro</a><a href="https://other.example/x">x</a><a rel="nofollow" href="/login">in</a><a href="http://[bad">bad</a><a>no href</a></body></html>`,
      'https://example.com/docs/guide?ref=1',
    );
    expect(page.links).toEqual(['https://example.com/docs/intro#top', 'https://other.example/x']);
    expect(page.canonical).toBe('https://example.com/docs/guide');
    expect(page).toMatchObject({ noindex: false, nofollow: false });
  });

  it('honours the robots meta tag: noindex, nofollow, none', () => {
    const links = '<a href="/a">a</a>';
    expect(pageLinks(`<meta name="robots" content="noindex, follow">${links}`, 'https://example.com/')).toMatchObject({
      noindex: true,
      links: ['https://example.com/a'],
    });
    expect(pageLinks(`<meta name="ROBOTS" content="nofollow">${links}`, 'https://example.com/')).toMatchObject({
      noindex: false,
      nofollow: true,
      links: [],
    });
    expect(pageLinks(`<meta name="carrel" content="none">${links}`, 'https://example.com/')).toMatchObject({
      noindex: true,
      nofollow: true,
    });
    expect(pageLinks(`<meta name="description" content="none">${links}`, 'https://example.com/')).toMatchObject({
      noindex: false,
      nofollow: false,
    });
  });
});
