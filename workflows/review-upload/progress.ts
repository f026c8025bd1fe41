import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { ReviewUploadProgress, UploadPhase } from '../../contracts/review-upload';
import { SearchAttributes } from '../../contracts/temporal';

const MB = 1024 * 1024;

/** The run's progress: answered by the progress query, mirrored in the Web UI's current details and search attributes. */
export class UploadProgress {
  readonly state: ReviewUploadProgress = {
    phase: 'starting',
    filesDone: 0,
    filesTotal: 0,
    bytesDone: 0,
    bytesTotal: 0,
    sessionId: null,
    lastError: null,
    deadline: null,
  };

  enter(phase: UploadPhase): void {
    this.state.phase = phase;
    upsertSearchAttributes([{ key: SearchAttributes.uploadPhase, value: phase }]);
    this.publish();
  }

  setSession(sessionId: string): void {
    this.state.sessionId = sessionId;
    upsertSearchAttributes([{ key: SearchAttributes.uploadSessionId, value: sessionId }]);
    this.publish();
  }

  setFiles(files: { size: number }[]): void {
    this.state.filesTotal = files.length;
    this.state.bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
    this.publish();
  }

  fileDone(size: number): void {
    this.state.filesDone += 1;
    this.state.bytesDone += size;
    this.publish();
  }

  error(message: string): void {
    this.state.lastError = message;
    this.publish();
  }

  snapshot(): ReviewUploadProgress {
    return { ...this.state };
  }

  /** One line a person reads in the Web UI, e.g. "uploading: 3/5 files, 120.0/200.0 MB to session …; window closes …". */
  private publish(): void {
    const s = this.state;
    const parts = [`${s.phase}: ${s.filesDone}/${s.filesTotal} files, ${(s.bytesDone / MB).toFixed(1)}/${(s.bytesTotal / MB).toFixed(1)} MB`];
    if (s.sessionId) parts.push(`session ${s.sessionId}`);
    if (s.deadline) parts.push(`window closes ${s.deadline}`);
    if (s.lastError) parts.push(`last error: ${s.lastError}`);
    setCurrentDetails(parts.join('; '));
  }
}
