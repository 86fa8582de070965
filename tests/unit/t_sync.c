/* t_sync.c - the channel URL readers (Mastodon, Telegram), the handle a
 * synced account gets, and the reading of a Bot API answer. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/channel_api.h"
#include "turnout/sync.h"

static void mastodon_is(const char *url, const char *instance, const char *account)
{
	struct tn_err err = TN_ERR_INIT;
	char *i = NULL, *a = NULL;

	is_int(tn_mastodon_parse_url(url, &i, &a, &err), TN_OK, "'%s' is read", url);
	is_str(i ? i : "(null)", instance, "instance of '%s'", url);
	is_str(a ? a : "(null)", account, "account of '%s'", url);
	free(i);
	free(a);
}

static void mastodon_bad(const char *url)
{
	struct tn_err err = TN_ERR_INIT;
	char *i = (char *)"x", *a = (char *)"x";

	is_int(tn_mastodon_parse_url(url, &i, &a, &err), TN_USAGE, "'%s' is refused", url);
	ok(!i && !a, "nothing is returned for '%s'", url);
	is_str(err.field, "url", "the error is about the url of '%s'", url);
}

static void chat_is(const char *url, const char *want)
{
	struct tn_err err = TN_ERR_INIT;
	char *chat = NULL;
	tn_code rc = tn_telegram_chat(url, &chat, &err);

	if (want) {
		is_int(rc, TN_OK, "'%s' is read", url);
		is_str(chat ? chat : "(null)", want, "chat of '%s'", url);
	} else {
		is_int(rc, TN_USAGE, "'%s' is refused", url);
		ok(!chat, "no chat for '%s'", url);
	}
	free(chat);
}

static void handle_is(const char *acct, const char *want)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf b = TN_BUF_INIT;
	tn_code rc = tn_sync_handle(acct, "social.example", &b, &err);

	if (want) {
		is_int(rc, TN_OK, "acct '%s' makes a handle", acct);
		is_str(b.data, want, "handle of acct '%s'", acct);
	} else {
		is_int(rc, TN_BADINPUT, "acct '%s' is refused", acct);
	}
	tn_buf_free(&b);
}

static tn_code telegram(const char *body, cJSON **result, struct tn_err *err)
{
	struct tn_http_response res = { 200, (char *)body, strlen(body), NULL };

	return tn_telegram_result(&res, "channel 'tg'", result, err);
}

int main(void)
{
	struct tn_err err = TN_ERR_INIT;
	cJSON *result = NULL;
	char *url = NULL;

	mastodon_is("https://mastodon.social/@readers", "https://mastodon.social", "readers");
	mastodon_is("https://Social.Example:8443/@club/", "https://social.example:8443", "club");
	mastodon_is("https://social.example/@anna@other.example", "https://social.example",
		    "anna@other.example");
	mastodon_is("http://127.0.0.1:9000/@club", "http://127.0.0.1:9000", "club");
	mastodon_bad("http://social.example/@club");     /* plain http beyond loopback */
	mastodon_bad("https://social.example/club");
	mastodon_bad("https://social.example/@club/followers");
	mastodon_bad("https://social.example/@club?x=1");
	mastodon_bad("https://social.example/@");
	mastodon_bad("https://social.example/@a b");
	mastodon_bad("ftp://social.example/@club");
	mastodon_bad("");

	chat_is("https://t.me/readers", "@readers");
	chat_is("https://t.me/readers_club/", "@readers_club");
	chat_is("https://telegram.me/readers", "@readers");
	chat_is("http://t.me/readers", NULL);
	chat_is("https://t.me/+AbCdEf", NULL);
	chat_is("https://t.me/joinchat/AbCdEf", NULL);
	chat_is("https://example.org/readers", NULL);
	chat_is("https://t.me/readers?start=1", NULL);

	handle_is("anna", "anna@social.example");
	handle_is("anna@other.example", "anna@other.example");
	handle_is("", NULL);
	handle_is("@", NULL);
	handle_is("a b", NULL);

	is_int(tn_channel_api_check_url("mastodon", "https://t.me/x", &err), TN_USAGE,
	       "a mastodon channel with a t.me address is refused");
	is_int(tn_channel_api_check_url("blog", "https://t.me/x", &err), TN_OK,
	       "other kinds are not checked here");
	is_int(tn_channel_api_check_url("telegram", NULL, &err), TN_OK, "no URL is fine");

	is_int(tn_telegram_method_url("https://api.telegram.org", "1:abc", "getMe", &url, &err),
	       TN_OK, "a Bot API URL");
	is_str(url ? url : "", "https://api.telegram.org/bot1:abc/getMe", "its form");
	free(url);
	is_int(tn_telegram_method_url("http://api.example.org", "1:abc", "getMe", &url, &err),
	       TN_USAGE, "plain http beyond loopback is refused");
	ok(!strstr(err.msg, "1:abc"), "the message holds no token: %s", err.msg);

	is_int(telegram("{\"ok\":true,\"result\":42}", &result, &err), TN_OK, "ok answer");
	ok(cJSON_IsNumber(result) && result->valuedouble == 42, "its result");
	cJSON_Delete(result);
	is_int(telegram("{\"ok\":false,\"description\":\"Forbidden: bot is not a member\"}",
			&result, &err), TN_FAIL, "an error answer");
	ok(strstr(err.msg, "Forbidden: bot is not a member") && !result,
	   "quotes the description: %s", err.msg);
	is_int(telegram("[1]", &result, &err), TN_BADINPUT, "not a Bot API answer");
	is_int(telegram("oops", &result, &err), TN_BADINPUT, "not JSON");
	return tap_done();
}
