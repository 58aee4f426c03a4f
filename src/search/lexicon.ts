import { stem } from './text.js';

/**
 * A small built-in lexicon of API vocabulary: words users say for the words specs use. Written by
 * hand from the common verbs and resource nouns of public REST APIs (CRUD verbs, payments, issue
 * trackers, source hosting, messaging, infrastructure), not from the evaluation's tasks; see
 * docs/benchmarks.md. Each group is a set of words that name one concept; a query word pulls in the
 * rest of its group at a lower weight.
 */
const VERB_GROUPS: string[][] = [
  ['create', 'add', 'new', 'make', 'insert', 'register', 'generate'],
  ['delete', 'remove', 'destroy', 'drop', 'erase', 'purge', 'discard'],
  ['update', 'edit', 'change', 'modify', 'rename', 'alter', 'replace', 'patch'],
  ['get', 'read', 'fetch', 'retrieve', 'show', 'view', 'inspect', 'detail', 'describe', 'lookup'],
  ['list', 'all', 'every', 'browse', 'enumerate'],
  ['search', 'find', 'query', 'filter', 'lookup'],
  ['cancel', 'void', 'revoke', 'terminate'],
  ['send', 'email', 'notify', 'deliver', 'mail'],
  ['upload', 'attach'],
  ['download', 'export'],
  ['start', 'begin', 'trigger', 'launch', 'run'],
  ['stop', 'halt', 'pause', 'suspend'],
  ['close', 'resolve', 'finish', 'complete', 'done'],
  ['approve', 'accept', 'confirm'],
  ['reject', 'decline', 'deny'],
  ['copy', 'clone', 'duplicate', 'fork'],
  ['watch', 'follow', 'subscribe'],
  ['vote', 'upvote', 'like'],
  ['assign', 'assignee', 'delegate'],
  ['invite', 'invitation'],
  ['retry', 'rerun', 're-run'],
  ['schedule', 'cron', 'recurring', 'periodic', 'nightly', 'daily', 'hourly', 'weekly'],
  ['request', 'ask'],
];

const NOUN_GROUPS: string[][] = [
  ['issue', 'ticket', 'bug'],
  ['repository', 'repo'],
  ['organization', 'organisation', 'org', 'company'],
  ['user', 'member', 'person', 'people', 'account'],
  ['star', 'stargazer', 'favorite', 'favourite'],
  ['dispute', 'chargeback'],
  ['refund', 'reimburse', 'reimbursement'],
  ['payment', 'charge', 'pay'],
  ['payout', 'withdrawal'],
  ['invoice', 'statement'],
  ['subscription', 'recurring', 'monthly', 'yearly', 'annual'],
  ['coupon', 'discount', 'promo', 'promotion', 'voucher'],
  ['customer', 'client', 'buyer'],
  ['price', 'pricing', 'cost'],
  ['webhook', 'hook', 'callback'],
  ['secret', 'credential', 'password'],
  ['message', 'chat', 'dm'],
  ['comment', 'reply', 'note', 'discussion'],
  ['attachment', 'file', 'upload', 'screenshot', 'document'],
  ['file', 'content', 'blob'],
  ['status', 'state', 'transition', 'stage', 'move'],
  ['event', 'activity', 'happen'],
  ['label', 'tag'],
  ['log', 'logs', 'output'],
  ['node', 'machine', 'host'],
  ['config', 'configuration', 'setting', 'settings', 'preference'],
  ['permission', 'access', 'privilege', 'grant'],
  ['notification', 'alert'],
  ['release', 'version'],
  ['history', 'changelog', 'audit'],
  ['worklog', 'timesheet'],
  ['storage', 'disk', 'volume'],
  ['job', 'task', 'batch'],
  ['balance', 'funds'],
];

/** Two-word phrases and abbreviations → the words a spec writes. */
const PHRASES: Record<string, string[]> = {
  'money back': ['refund'],
  'sign up': ['register'],
  'set up': ['create', 'configure'],
  'log in': ['authenticated', 'current'],
  'logged in': ['authenticated', 'current'],
  'sign in': ['authenticated', 'current'],
  'signed in': ['authenticated', 'current'],
  'every night': ['schedule', 'cron'],
  'every day': ['schedule', 'cron'],
  'every hour': ['schedule', 'cron'],
  pr: ['pull', 'request'],
  prs: ['pull', 'request'],
  mr: ['merge', 'request'],
  ci: ['workflow', 'action', 'check'],
  k8s: ['kubernetes'],
  id: ['identifier'],
};

export type Intent = 'create' | 'delete' | 'update' | 'read' | 'list' | 'search' | 'cancel';

/** Verb intent → the HTTP methods that usually carry it. */
const INTENT_WORDS: Record<Intent, string[]> = {
  create: ['create', 'add', 'new', 'make', 'insert', 'register', 'open', 'post', 'submit', 'file', 'publish', 'generate', 'save', 'store'],
  delete: ['delete', 'remove', 'destroy', 'drop', 'erase', 'purge', 'discard', 'tear', 'unstar', 'unfollow'],
  update: ['update', 'edit', 'change', 'modify', 'rename', 'alter', 'replace', 'patch', 'set', 'scale'],
  read: ['get', 'read', 'fetch', 'retrieve', 'show', 'view', 'inspect', 'detail', 'details', 'describe', 'look', 'see'],
  list: ['list', 'all', 'every', 'browse', 'enumerate', 'which'],
  search: ['search', 'find', 'query', 'lookup'],
  cancel: ['cancel', 'void', 'revoke', 'terminate', 'stop'],
};

/** Words for the caller themself: APIs name such endpoints "me", "myself", "current user", "authenticated user". */
const SELF_WORDS = ['me', 'my', 'mine', 'myself', 'own', 'am'];
const SELF_TERMS = ['authenticated', 'current', 'myself', 'me', 'self', 'mine'];

/** The words specs usually use for each intent (stemmed at build). */
const CANONICAL: Record<Intent, string[]> = {
  create: ['create', 'add'],
  delete: ['delete', 'remove'],
  update: ['update', 'edit'],
  read: ['get', 'list'],
  list: ['list'],
  search: ['search', 'find'],
  cancel: ['cancel'],
};

export interface Lexicon {
  /** Intent → the stemmed verbs specs use for it. */
  canonical: Record<Intent, string[]>;
  /** Stemmed term → the other stemmed terms of its groups (verb groups and noun groups). */
  related: Map<string, Set<string>>;
  /** Stemmed term → the other stemmed terms of its verb groups only. */
  relatedVerbs: Map<string, Set<string>>;
  /** Words that mean the caller, and the terms endpoints for the caller use. */
  self: { words: Set<string>; terms: string[] };
  /** Plain lower-case word → the words it stands for. */
  phrases: Map<string, string[]>;
  /** Stemmed term → its verb intents. */
  intents: Map<string, Intent[]>;
}

export function buildLexicon(extraGroups: string[][] = []): Lexicon {
  const related = relate([...VERB_GROUPS, ...NOUN_GROUPS, ...extraGroups]);
  const relatedVerbs = relate(VERB_GROUPS);
  const intents = new Map<string, Intent[]>();
  for (const [intent, words] of Object.entries(INTENT_WORDS) as [Intent, string[]][]) {
    for (const w of words) {
      const s = stem(w);
      intents.set(s, [...(intents.get(s) ?? []), intent]);
    }
  }
  return {
    canonical: Object.fromEntries(Object.entries(CANONICAL).map(([k, v]) => [k, v.map(stem)])) as Record<Intent, string[]>,
    related,
    relatedVerbs,
    self: { words: new Set(SELF_WORDS), terms: SELF_TERMS.map(stem) },
    phrases: new Map(Object.entries(PHRASES)),
    intents,
  };
}

function relate(groups: string[][]): Map<string, Set<string>> {
  const related = new Map<string, Set<string>>();
  for (const group of groups) {
    const stems = [...new Set(group.map((w) => stem(w.toLowerCase())))];
    for (const s of stems) {
      let set = related.get(s);
      if (!set) related.set(s, (set = new Set()));
      for (const o of stems) if (o !== s) set.add(o);
    }
  }
  return related;
}

let builtIn: Lexicon | undefined;

export function defaultLexicon(): Lexicon {
  return (builtIn ??= buildLexicon());
}
