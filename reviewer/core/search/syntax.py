"""The search syntax help, shown by `reviewer syntax` and the search box's help popup."""

SYNTAX_HELP = """\
SEARCH SYNTAX

Words
  merger              the word, in any case; never stemmed (merger does not find mergers)
  confid*  wom?n      * is any run of letters, ? exactly one letter (leading * works but is slow)
  recieve~  acme~2    fuzzy: words 1 (or 2) edits away (insert, delete or change a letter)
  "breach of contract"   an exact phrase; * ? and ~ work inside it
  Words are letters and digits; . ' @ - inside a word keep it whole (o'brien, ada@acme.com,
  2018-04-01). A bare word searches the text, subject, title, file name and the From, To, Cc
  and Bcc addresses.

Combining (loosest first: OR, then AND, then NOT, then w/N)
  a b   a AND b       both (a space means AND)
  a OR b              either
  NOT a   a AND NOT b   a NOT b      without
  ( … )               grouping: (merger OR acquisition) AND acme
  AND, OR, NOT work in any case; to search for the word itself, quote it: "not".

Proximity
  a w/N b             a and b within N words of each other, in either order
  a pre/N b           a before b, within N words
  a NOT w/N b         an a with no b within N words
  "Within N words" means the positions differ by at most N, so at most N-1 words lie between:
  hospital w/3 negligence finds "negligence of the hospital" but not "negligence of the old
  hospital". Each side may be a word, a phrase or an OR-group: (acme OR apex) w/5 "price list".
  a w/5 b w/3 c       c within 3 words of an (a w/5 b) match

Fields
  from:  to:  cc:  bcc:  subject:  author:  title:  filename:     text in that field only
  subject:(merger OR acquisition)   subject:"board meeting"   from:*@acme.com
  custodian:reyes   ext:pdf   type:pdf   type:email   control:DOC-000123   control:DOC-0001*
  date:2018-04-01   date:2018-04   date:2018   date:[2018-01-01 TO 2018-12-31]   date:[2018 TO *]
  date>=2018-04-01   date<2019      (date is sent for email, else modified, else created;
                                     sent: created: modified: search one date; dates are UTC)
  pages>10   pages:[1 TO 5]
  bates:DEF00000125   the document with that page (imported productions; Ctrl+G opens the page)
  bates:[DEF00000100 TO DEF00000200]   every document with a page in that range

People (built from every From, To, Cc, Bcc, Reply-To and author; see `reviewer people`)
  person:"Lelling, Andrew"   every document the person is on, in any role; any usual form of the name
                             (Andrew Lelling, LELLING, ANDREW E.), an address (person:ada@acme.com),
                             an id from the People pane (person:12) or a wildcard (person:lell*)
  domain:example.org         every document with an address of that domain (subdomains too) or of the
                             domains labelled so (domain:"Globe Tribune")
  between:("Person A", "Person B")   messages with one as sender and the other as a recipient (To,
                             Cc or Bcc), either way; a side may be a whole domain:
                             between:(@doj.example, @globe.example)

Review state (always current: a tag added a second ago counts)
  tag:"privileged"    tag:any   NOT tag:any (untagged)   tag:"any" is a tag named any
  has:notes   has:tags   has:attachments   is:duplicate (also found elsewhere)   is:attachment
  family:DOC-000123   every document in that document's family
  saved:"Hot docs"    the saved search, run as it is now
  batch:PRIV-001      the documents of that batch; batch:PRIV-* every batch of the set named PRIV
  qc:QC-001           the documents of that QC batch
  score:"Responsive">=70   the prioritized review's score (0-100) of each document for that tag;
                      also > < <= =. Hidden (an error) while a validation sample of the tag is
                      being decided blind
  has:highlights      documents with a highlight
  issue:"Bias of the prosecution"   issue:1.2   issue:Bias*   documents with a highlight, or cited by a
                      fact, under that issue or one of its sub-issues (by name, number or wildcard)

Conversations and near-duplicates (after `reviewer analyze`, kept current by every ingest)
  thread:DOC-000123   the whole email conversation of that document, attachments included
  is:inclusive        emails no other email of their thread contains: read these, skip the rest
  near:DOC-000123     that document's near-duplicate group
  is:principal        the principal (largest document) of each near-duplicate group
  similarity>=95      near-duplicates at least 95 % similar to their principal (whole percents)
  Similarity is the share of the larger document's words that stand unchanged, in the same order,
  in the other (a word-by-word comparison; case, punctuation and line breaks do not count): a
  1,000-word memo with 50 words changed is 95 % similar to the original.

Errors
  A query that cannot be read is refused with what is wrong and where, e.g.
  "Unbalanced quote at column 14"; it never runs as something else.
"""
