/** The whole of stdin as text: the Python tests pass their request here as JSON. */
export async function readStdin() {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}
