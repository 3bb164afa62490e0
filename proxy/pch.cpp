// pch: the translation unit that builds the precompiled header the proxy's rooms share.
