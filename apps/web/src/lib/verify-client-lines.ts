/**
 * Lines of a bundle file, streamed: UTF-8 decoded chunk by chunk and split on "\n",
 * so a bundle larger than memory can be verified. A final line without "\n" is still
 * yielded (the verifier then judges it); the empty text after a final "\n" is not.
 */
export async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let rest = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += decoder.decode(value, { stream: true });
    let at = rest.indexOf("\n");
    let from = 0;
    while (at >= 0) {
      yield rest.slice(from, at);
      from = at + 1;
      at = rest.indexOf("\n", from);
    }
    rest = rest.slice(from);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest;
}
