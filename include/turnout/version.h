/*
 * version.h - turnout's version, for --version, the manual page and the
 * User-Agent of its web requests.
 */
#ifndef TURNOUT_VERSION_H
#define TURNOUT_VERSION_H

#define TN_VERSION "0.1.0"

#endif
