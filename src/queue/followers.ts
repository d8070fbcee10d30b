import type { EditEvent } from '../edits/job.ts';

type Listener = (event: EditEvent) => void;

/**
 * The listeners of each job's events in this process. A listener's own failure is not the job's:
 * it is swallowed here, so one broken follower cannot stop the edit or the other followers.
 */
export class Followers {
  private readonly byJob = new Map<string, Set<Listener>>();

  /** Adds a listener; returns whether it is the job's first (a shared bus subscribes then). */
  add(jobId: string, listener: Listener): boolean {
    let set = this.byJob.get(jobId);
    const first = !set;
    if (!set) this.byJob.set(jobId, (set = new Set()));
    set.add(listener);
    return first;
  }

  /** Removes a listener; returns whether it was the job's last (a shared bus unsubscribes then). */
  remove(jobId: string, listener: Listener): boolean {
    const set = this.byJob.get(jobId);
    if (!set?.delete(listener)) return false;
    if (set.size > 0) return false;
    this.byJob.delete(jobId);
    return true;
  }

  has(jobId: string): boolean {
    return this.byJob.has(jobId);
  }

  emit(jobId: string, event: EditEvent): void {
    for (const listener of this.byJob.get(jobId) ?? []) {
      try {
        listener(event);
      } catch { /* see the class comment */ }
    }
  }
}
