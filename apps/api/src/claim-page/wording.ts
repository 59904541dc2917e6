/** English for the pages: counts and articles that read right ("1 retrieval left", "an application/json payload"). */

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** "1 retrieval left", "no retrievals left", or unlimited. static/claim.js words it the same way after a claim. */
export function retrievalsLeft(remaining: number | null): string {
  if (remaining === null) return "unlimited retrievals until it expires";
  return remaining === 0 ? "no retrievals left" : `${plural(remaining, "retrieval")} left`;
}

// Words that start with a vowel letter but a consonant sound, and the reverse (checked on the
// leading letters). Content types are the common case: "an application/json", "a text/plain".
const CONSONANT_SOUND = /^(uni|use|usa|usu|uti|ure|eu|ewe|one|once)/;
const VOWEL_SOUND = /^(hour|honest|honou?r|heir|x-|mp[34]|8|11|18)/;

/** "a" or "an" by the sound of the word that follows. */
export function indefiniteArticle(word: string): "a" | "an" {
  const lower = word.toLowerCase();
  if (CONSONANT_SOUND.test(lower)) return "a";
  if (VOWEL_SOUND.test(lower) || /^[aeiou]/.test(lower)) return "an";
  return "a";
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
