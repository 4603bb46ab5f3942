// The `label` filter of docker's list and prune endpoints: "key" matches a
// thing that has the label, "key=value" one whose label has that value.
export function hasLabel(labels: Record<string, string> | undefined, filter: string): boolean {
  const i = filter.indexOf('=');
  const key = i < 0 ? filter : filter.slice(0, i);
  return !!labels && key in labels && (i < 0 || labels[key] === filter.slice(i + 1));
}
