// The password policy, mirrored from the server (package password) so that
// the form can say what is wrong before the request; the server still decides.
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

/** passwordProblem returns the i18n key of what is wrong with pw, or ''. */
export function passwordProblem(pw) {
  const n = [...(pw || '')].length
  if (n < PASSWORD_MIN) return 'pwd.tooShort'
  if (n > PASSWORD_MAX) return 'pwd.tooLong'
  let lower = false, upper = false, digit = false, other = false
  for (const ch of pw) {
    if (/\p{Ll}/u.test(ch)) lower = true
    else if (/\p{Lu}/u.test(ch)) upper = true
    else if (/\p{Nd}/u.test(ch)) digit = true
    else if (/\p{Cc}/u.test(ch)) return 'pwd.control'
    else other = true
  }
  if ([lower, upper, digit, other].filter(Boolean).length < 3) return 'pwd.classes'
  return ''
}
