// FFmpeg-backed media: the file source reader and the AAC-to-Opus transcoder live here.
