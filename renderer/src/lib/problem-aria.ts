/**
 * What ties a form field to the problem shown beside it: marked invalid and described by the problem's text,
 * so a screen reader reads the problem with the field. Nothing while the field has no problem.
 */
export function problemAria(
  problem: string | null | undefined,
  problemId: string,
): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string } {
  return problem ? { 'aria-invalid': 'true', 'aria-describedby': problemId } : {};
}
