// The server's rule for names (apps, namespace codes, containers, version
// labels): 1 to 128 letters, digits, `.`, `_` or `-`. Pages check it
// before sending so a mistake shows at once; the server checks again.
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export type NameProblem = "required" | "tooLong" | "badChar" | "reserved";

export function checkName(
  text: string,
  { optional = false, reserved = [] }: { optional?: boolean; reserved?: readonly string[] } = {},
): NameProblem | null {
  if (text === "") return optional ? null : "required";
  if (text.length > 128) return "tooLong";
  if (!NAME_PATTERN.test(text)) return "badChar";
  if (reserved.includes(text.toLowerCase())) return "reserved";
  return null;
}
