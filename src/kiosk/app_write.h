/* app_write.h — the runtime's side of writing at the kiosk (app_write.c):
 * the pinyin engine's loader, keys and scanner bursts routed to the
 * session's fields, the outbox puts for cases, feedback and ratings, and
 * the sync worker's answers. Called from app.c only. */
#ifndef APP_WRITE_H
#define APP_WRITE_H

#include <SDL.h>
#include <stdbool.h>

#include "kn_sync.h"

struct kapp;

/* Opens the outbox (STATE_DIR/outbox.db); the pinyin engine is loaded
 * when a keyboard first opens. */
void kapp_write_init(struct kapp *k);
void kapp_write_cleanup(struct kapp *k);
/* ev_ime: the engine has loaded (data1 = ks_ime *, or NULL). */
void kapp_write_event(struct kapp *k, const SDL_Event *ev);
/* After every batch of events: outbox puts and look-ups the state asks for. */
void kapp_write_update(struct kapp *k);
/* KN_EVENT_DELIVERED and KN_EVENT_CASE. */
void kapp_write_sync_event(struct kapp *k, const kn_event *ev);
/* Text input and keys; true when a session field took them. */
bool kapp_write_text(struct kapp *k, const char *text);
bool kapp_write_key(struct kapp *k, SDL_Keycode sym);
/* A touch or a key other than Return: what was typed so far is no scan. */
void kapp_write_burst_end(struct kapp *k);

#endif
