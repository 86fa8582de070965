/*
 * slug.h - short URL-safe names for events, made from their titles.
 *
 * A slug is 1..TN_SLUG_MAX characters of [a-z0-9] in dash-separated words
 * ("vstrecha-chitatelei-v-moskve"), always with a letter (a number names an
 * event by id). Cyrillic and Greek are transliterated to readable ASCII,
 * Latin letters lose their diacritics (utf8proc decomposition); everything
 * else separates words.
 */
#ifndef TURNOUT_SLUG_H
#define TURNOUT_SLUG_H

#include "turnout/buf.h"
#include "turnout/err.h"

#define TN_SLUG_MAX 60

/* Appends the slug for title to out: lower-case words joined by single
 * dashes, cut at a word boundary to at most TN_SLUG_MAX characters.
 * A title with nothing usable gives "event"; a result without a letter gets an
 * "event-" prefix. Returns TN_NOMEM on allocation failure. */
tn_code tn_slug_from_title(const char *title, struct tn_buf *out);

/* 1 if s is a well-formed slug (the rule above), else 0. */
int tn_slug_valid(const char *s);

#endif
