// Camera and microphone chosen on this workstation, remembered in localStorage so the next
// meeting opens the same devices (asked for exactly; a device that went away falls back to the
// browser's default).

export type DeviceKind = 'audioinput' | 'videoinput';

const KEY_PREFIX = 'sportello.device.';

export function rememberedDevice(kind: DeviceKind): string | null {
  try {
    return window.localStorage.getItem(KEY_PREFIX + kind);
  } catch {
    return null;
  }
}

export function rememberDevice(kind: DeviceKind, deviceId: string): void {
  try {
    window.localStorage.setItem(KEY_PREFIX + kind, deviceId);
  } catch {
    // Storage refused (private mode, quota): the choice lasts for this meeting only.
  }
}

/** The constraint that asks for exactly the remembered device, or null if none is remembered. */
export function preferredDevice(kind: DeviceKind): { deviceId: { exact: string } } | null {
  const id = rememberedDevice(kind);
  return id ? { deviceId: { exact: id } } : null;
}

/** The devices of `kind` the browser lists (labels are filled once media permission is given). */
export async function listDevices(kind: DeviceKind): Promise<MediaDeviceInfo[]> {
  const media = mediaDevices();
  if (!media) return [];
  const all = await media.enumerateDevices();
  return all.filter((d) => d.kind === kind && d.deviceId !== '');
}

/** `navigator.mediaDevices`, absent outside secure contexts whatever the types say. */
export function mediaDevices(): MediaDevices | undefined {
  return 'mediaDevices' in navigator ? navigator.mediaDevices : undefined;
}
