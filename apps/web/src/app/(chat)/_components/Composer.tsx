"use client";
import { useState, type FormEvent, type KeyboardEvent } from "react";

const MAX_CHARS = 4000;

export function Composer({
  disabled,
  blockedReason = null,
  onSend,
}: {
  disabled: boolean;
  /** Why sending is blocked (e.g. a contact's key changed), shown instead of the placeholder. */
  blockedReason?: string | null;
  onSend: (text: string) => Promise<void>;
}) {
  const [text, setText] = useState("");

  function submit(e?: FormEvent) {
    e?.preventDefault();
    const value = text.trim();
    if (!value || disabled) return;
    setText("");
    void onSend(value);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder={
          blockedReason ?? (disabled ? "Loading…" : "Write a message (Enter to send, Shift+Enter for a new line)")
        }
        maxLength={MAX_CHARS}
        rows={2}
        disabled={disabled}
        data-testid="composer-input"
      />
      <button type="submit" disabled={disabled || text.trim().length === 0} data-testid="composer-send">
        Send
      </button>
    </form>
  );
}
